package chatapptest

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// Scheme names the way a request was signed.
type Scheme string

// The signing schemes the emulator tells apart.
const (
	// SchemeNone is a request that carries neither an ACS3 Authorization
	// header nor RPC signature parameters.
	SchemeNone Scheme = ""
	// SchemeV3 is ACS3 (ACS3-HMAC-SHA256 or ACS3-HMAC-SM3) in the
	// Authorization header.
	SchemeV3 Scheme = "ACS3"
	// SchemeRPC is the classic RPC scheme: HMAC-SHA1 over the parameters,
	// Signature among them.
	SchemeRPC Scheme = "RPC"
)

// incoming is a request as read off the wire, before any judgement.
type incoming struct {
	method, host, path, rawQuery string
	header                       http.Header
	query                        url.Values
	form                         url.Values // nil unless a form body came
	body                         []byte
	params                       url.Values // query and form together

	scheme      Scheme
	auth        v3Auth // SchemeV3 only
	accessKeyID string
	action      string

	err *apiError // the request could not be read
}

// v3Auth holds the parts of an ACS3 Authorization header.
type v3Auth struct {
	algorithm, credential, signedHeaders, signature string
}

// readRequest reads r's body and parameters and works out the scheme, the
// AccessKeyId and the action, without judging anything yet.
func readRequest(r *http.Request) *incoming {
	in := &incoming{
		method:   r.Method,
		host:     r.Host,
		path:     r.URL.EscapedPath(),
		rawQuery: r.URL.RawQuery,
		header:   r.Header,
	}
	var err error
	if in.body, err = io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1)); err != nil {
		in.err = errInvalidParameter("The request body could not be read: " + err.Error())
	} else if len(in.body) > maxBodyBytes {
		in.err = errInvalidParameter("The request body is larger than 1 MiB.")
	}
	if in.query, err = url.ParseQuery(in.rawQuery); err != nil && in.err == nil {
		in.err = errInvalidParameter("The query string is malformed: " + err.Error())
	}
	if len(in.body) > 0 && isForm(r.Header.Get("Content-Type")) {
		if in.form, err = url.ParseQuery(string(in.body)); err != nil && in.err == nil {
			in.err = errInvalidParameter("The form body is malformed: " + err.Error())
		}
	}
	// Copies, so that the query and the form stay as they arrived.
	in.params = url.Values{}
	for _, v := range [...]url.Values{in.query, in.form} {
		for name, values := range v {
			in.params[name] = append(in.params[name], values...)
		}
	}

	switch auth := r.Header.Get("Authorization"); {
	case strings.HasPrefix(auth, "ACS3-"):
		in.scheme = SchemeV3
		in.auth = parseAuthorization(auth)
		in.accessKeyID = in.auth.credential
		in.action = r.Header.Get("x-acs-action")
	case in.params.Has("Signature") || in.params.Has("AccessKeyId") || in.params.Has("SignatureMethod"):
		in.scheme = SchemeRPC
		in.accessKeyID = in.params.Get("AccessKeyId")
		in.action = in.params.Get("Action")
	default:
		// Unsigned: still name the action, for the log and fault matching.
		in.action = r.Header.Get("x-acs-action")
		if in.action == "" {
			in.action = in.params.Get("Action")
		}
	}
	return in
}

func isForm(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && mediaType == "application/x-www-form-urlencoded"
}

// parseAuthorization splits "ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..".
// Parts that are missing stay empty.
func parseAuthorization(v string) v3Auth {
	algorithm, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
	a := v3Auth{algorithm: algorithm}
	for part := range strings.SplitSeq(rest, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch name {
		case "Credential":
			a.credential = value
		case "SignedHeaders":
			a.signedHeaders = value
		case "Signature":
			a.signature = value
		}
	}
	return a
}
