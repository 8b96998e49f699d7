package main

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// subcommands are the names the dispatcher in run knows, for completion:
// a subcommand added there belongs here too.
var subcommands = []string{"report", "enable-roi", "numbers", "templates", "serve", "sync", "completion", "version"}

// runCompletion is `chatapp-metrics completion bash|zsh|fish`: a script
// that completes subcommands and the report's flags.
func runCompletion(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
		fmt.Fprintln(stderr, "Usage: chatapp-metrics completion bash|zsh|fish")
		return exitOK
	}
	if len(args) != 1 {
		fmt.Fprintln(stderr, "chatapp-metrics completion: name one shell: bash, zsh or fish")
		return exitUsage
	}
	fs, _ := reportFlags(io.Discard)
	var flags []string
	fs.VisitAll(func(f *flag.Flag) { flags = append(flags, "-"+f.Name) })
	slices.Sort(flags)
	words := strings.Join(append(slices.Clone(subcommands), flags...), " ")
	switch args[0] {
	case "bash":
		fmt.Fprintf(stdout, `# chatapp-metrics completion for bash: source <(chatapp-metrics completion bash)
_chatapp_metrics() {
	local cur=${COMP_WORDS[COMP_CWORD]}
	case ${COMP_WORDS[COMP_CWORD-1]} in
	-o|-format) COMPREPLY=($(compgen -W "table csv json yaml" -- "$cur")); return ;;
	-granularity) COMPREPLY=($(compgen -W "DAILY HALF_HOUR" -- "$cur")); return ;;
	-chart) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	esac
	COMPREPLY=($(compgen -W "%s" -- "$cur"))
}
complete -F _chatapp_metrics chatapp-metrics
`, words)
	case "zsh":
		fmt.Fprintf(stdout, `#compdef chatapp-metrics
# chatapp-metrics completion for zsh: source <(chatapp-metrics completion zsh)
_chatapp_metrics() {
	case $words[CURRENT-1] in
	-o|-format) compadd table csv json yaml; return ;;
	-granularity) compadd DAILY HALF_HOUR; return ;;
	-chart) _files; return ;;
	esac
	compadd -- %s
}
compdef _chatapp_metrics chatapp-metrics
`, words)
	case "fish":
		fmt.Fprintln(stdout, "# chatapp-metrics completion for fish: chatapp-metrics completion fish | source")
		fmt.Fprintf(stdout, "complete -c chatapp-metrics -f -n __fish_use_subcommand -a '%s'\n", strings.Join(subcommands, " "))
		fs.VisitAll(func(f *flag.Flag) {
			// fish's -o is a short option; old-style -name is its
			// single-dash long option.
			desc := strings.ReplaceAll(strings.SplitN(f.Usage, "\n", 2)[0], "'", "")
			fmt.Fprintf(stdout, "complete -c chatapp-metrics -o %s -d '%s'\n", f.Name, desc)
		})
	default:
		fmt.Fprintf(stderr, "chatapp-metrics completion: %q is not bash, zsh or fish\n", args[0])
		return exitUsage
	}
	return exitOK
}
