package chatapp_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// eventLog is an Observer that records every event, in order, as the
// name of the event and its info.
type eventLog struct {
	mu     sync.Mutex
	events []any
	names  []string
}

func (l *eventLog) add(name string, info any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.names = append(l.names, name)
	l.events = append(l.events, info)
}

func (l *eventLog) observer(phone bool) chatapp.Observer {
	return chatapp.Observer{
		CallStart: func(ctx context.Context, i chatapp.CallStartInfo) context.Context {
			l.add("CallStart", i)
			return ctx
		},
		CallDone: func(_ context.Context, i chatapp.CallDoneInfo) { l.add("CallDone", i) },
		AttemptStart: func(ctx context.Context, i chatapp.AttemptStartInfo) context.Context {
			l.add("AttemptStart", i)
			return nil
		},
		AttemptDone: func(_ context.Context, i chatapp.AttemptDoneInfo) { l.add("AttemptDone", i) },
		LimiterWait: func(_ context.Context, i chatapp.LimiterWaitInfo) { l.add("LimiterWait", i) },
		Backoff:     func(_ context.Context, i chatapp.BackoffInfo) { l.add("Backoff", i) },
		Credentials: func(_ context.Context, i chatapp.CredentialsInfo) { l.add("Credentials", i) },

		RecordPhoneNumber: phone,
	}
}

// strings returns every string an observer was given: string fields, the
// text of errors and whatever fmt prints of each info.
func (l *eventLog) strings() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, e := range l.events {
		out = append(out, fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e))
		v := reflect.ValueOf(e)
		for i := range v.NumField() {
			switch f := v.Field(i).Interface().(type) {
			case string:
				out = append(out, f)
			case error:
				for ; f != nil; f = errors.Unwrap(f) {
					out = append(out, f.Error())
				}
			}
		}
	}
	return out
}

// signatures returns the signatures and the token of the requests srv
// received, as they travelled.
func signatures(srv *chatapptest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		if s := r.Query.Get("Signature"); s != "" {
			out = append(out, s)
		}
		if a := r.Header.Get("Authorization"); a != "" {
			_, sig, ok := strings.Cut(a, "Signature=")
			if ok {
				out = append(out, sig)
			}
		}
	}
	return out
}

var observerBackoff = chatapp.WithBackoff(chatapp.Backoff{Base: time.Millisecond, ThrottleBase: time.Millisecond, Max: 5 * time.Millisecond})

// TestObserverNeverSeesSecrets runs a throttled-then-answered call and a
// failing call under both signing schemes with STS credentials and checks
// that no string an Observer is given holds the secret, the token, a
// signature or the phone number.
func TestObserverNeverSeesSecrets(t *testing.T) {
	const (
		id     = "STS.observer-id"
		secret = "observer+secret/=%value"
		token  = "observer-token+/=%CAES"
	)
	for _, sig := range []chatapp.SignatureVersion{chatapp.SignatureV3, chatapp.SignatureRPC} {
		t.Run(sig.String(), func(t *testing.T) {
			srv := chatapptest.NewServer()
			t.Cleanup(srv.Close)
			srv.AddSTSToken(id, secret, token)
			var log eventLog
			c, err := srv.Client(chatapp.WithSTSToken(id, secret, token), chatapp.WithSignatureVersion(sig),
				observerBackoff, chatapp.WithObserver(log.observer(false)))
			require.NoError(t, err)
			req := loadRequest()
			srv.InjectFault(1, chatapptest.ThrottlingFault(time.Millisecond))
			_, err = c.GetChatappPhoneNumberMetric(context.Background(), req)
			require.NoError(t, err)
			srv.InjectFault(1, chatapptest.Fault{Kind: chatapptest.FaultError, Status: 403, Code: "Forbidden.RAM"})
			_, err = c.GetChatappPhoneNumberMetric(context.Background(), req)
			require.Error(t, err)

			sigs := signatures(srv)
			require.Len(t, sigs, 3, "3 signed requests")
			forbidden := append([]string{secret, token, req.PhoneNumber}, sigs...)
			got := log.strings()
			require.NotEmpty(t, got)
			for _, s := range got {
				for _, f := range forbidden {
					assert.NotContains(t, s, f)
				}
			}
		})
	}
}

// TestObserverEvents checks the events of a call throttled once and then
// answered, in order, with what each carries.
func TestObserverEvents(t *testing.T) {
	srv := chatapptest.NewServer()
	t.Cleanup(srv.Close)
	var log eventLog
	c, err := srv.Client(observerBackoff, chatapp.WithObserver(log.observer(false)))
	require.NoError(t, err)
	srv.InjectFault(1, chatapptest.ThrottlingFault(time.Millisecond))
	_, err = c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
	require.NoError(t, err)

	assert.Equal(t, []string{
		"CallStart",
		"Credentials", "LimiterWait", "AttemptStart", "AttemptDone", "Backoff",
		"Credentials", "LimiterWait", "AttemptStart", "AttemptDone",
		"CallDone",
	}, log.names)
	require.Len(t, log.events, 11)

	start := log.events[0].(chatapp.CallStartInfo)
	assert.Equal(t, "GetChatappPhoneNumberMetric", start.Operation)
	assert.Equal(t, strings.TrimPrefix(srv.URL, "http://"), start.Host)
	assert.Empty(t, start.PhoneNumber, "no phone number without RecordPhoneNumber")

	first := log.events[4].(chatapp.AttemptDoneInfo)
	assert.Equal(t, 1, first.Attempt)
	assert.Equal(t, 0, first.ResendCount())
	assert.Equal(t, 400, first.Status)
	assert.Equal(t, "Throttling.User", first.Code)
	assert.NotEmpty(t, first.RequestID)
	assert.ErrorIs(t, first.Err, chatapp.ErrThrottled)
	assert.True(t, first.Retry)
	assert.Equal(t, "throttled", first.RetryReason)

	pause := log.events[5].(chatapp.BackoffInfo)
	assert.Equal(t, 1, pause.Attempt)
	assert.Equal(t, "throttled", pause.Reason)
	assert.Equal(t, first.RetryDelay, pause.Delay)
	assert.NoError(t, pause.Err)

	second := log.events[9].(chatapp.AttemptDoneInfo)
	assert.Equal(t, 2, second.Attempt)
	assert.Equal(t, 1, second.ResendCount())
	assert.Equal(t, 200, second.Status)
	assert.Empty(t, second.Code)
	assert.NoError(t, second.Err)
	assert.False(t, second.Retry)

	done := log.events[10].(chatapp.CallDoneInfo)
	assert.Equal(t, 2, done.Attempts)
	assert.Equal(t, 200, done.Status)
	assert.Equal(t, second.RequestID, done.RequestID)
	assert.NoError(t, done.Err)
	assert.GreaterOrEqual(t, done.Duration, pause.Duration)

	cred := log.events[1].(chatapp.CredentialsInfo)
	assert.False(t, cred.Provider)
	assert.False(t, cred.STS)
	assert.NoError(t, cred.Err)
}

// TestObserverFailure checks a call that fails without a retry: the
// attempt is not retried, and CallDone carries the error and its code.
func TestObserverFailure(t *testing.T) {
	srv := chatapptest.NewServer()
	t.Cleanup(srv.Close)
	var log eventLog
	c, err := srv.Client(observerBackoff, chatapp.WithObserver(log.observer(false)))
	require.NoError(t, err)
	srv.InjectFault(1, chatapptest.Fault{Kind: chatapptest.FaultError, Status: 403, Code: "Forbidden.RAM"})
	_, callErr := c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
	require.Error(t, callErr)
	require.Equal(t, []string{"CallStart", "Credentials", "LimiterWait", "AttemptStart", "AttemptDone", "CallDone"}, log.names)
	attempt := log.events[4].(chatapp.AttemptDoneInfo)
	assert.False(t, attempt.Retry)
	assert.Equal(t, "Forbidden.RAM", attempt.Code)
	done := log.events[5].(chatapp.CallDoneInfo)
	assert.Equal(t, callErr, done.Err)
	assert.Equal(t, "Forbidden.RAM", done.Code)
	assert.Equal(t, 403, done.Status)
	assert.Equal(t, 1, done.Attempts)
}

type ctxKey string

// TestObserversCombine installs two observers: both are called in order,
// each sees the context the one before returned, the attempt's context
// reaches AttemptDone, and only the one that asked gets the phone number.
func TestObserversCombine(t *testing.T) {
	srv := chatapptest.NewServer()
	t.Cleanup(srv.Close)
	var order []string
	var phones []string
	mk := func(name string, phone bool) chatapp.Observer {
		return chatapp.Observer{
			CallStart: func(ctx context.Context, i chatapp.CallStartInfo) context.Context {
				order = append(order, name+".CallStart")
				phones = append(phones, i.PhoneNumber)
				return context.WithValue(ctx, ctxKey(name), true)
			},
			AttemptStart: func(ctx context.Context, _ chatapp.AttemptStartInfo) context.Context {
				return context.WithValue(ctx, ctxKey(name+".attempt"), true)
			},
			AttemptDone: func(ctx context.Context, _ chatapp.AttemptDoneInfo) {
				order = append(order, fmt.Sprintf("%s.AttemptDone(a=%v,b=%v,attempt=%v)", name,
					ctx.Value(ctxKey("a")) != nil, ctx.Value(ctxKey("b")) != nil, ctx.Value(ctxKey("b.attempt")) != nil))
			},
			CallDone: func(ctx context.Context, _ chatapp.CallDoneInfo) {
				order = append(order, fmt.Sprintf("%s.CallDone(b=%v)", name, ctx.Value(ctxKey("b")) != nil))
			},
			RecordPhoneNumber: phone,
		}
	}
	c, err := srv.Client(chatapp.WithObserver(mk("a", false)), chatapp.WithObserver(mk("b", true)))
	require.NoError(t, err)
	_, err = c.GetChatappPhoneNumberMetric(context.Background(), loadRequest())
	require.NoError(t, err)
	assert.Equal(t, []string{
		"a.CallStart", "b.CallStart",
		"a.AttemptDone(a=true,b=true,attempt=true)", "b.AttemptDone(a=true,b=true,attempt=true)",
		"a.CallDone(b=true)", "b.CallDone(b=true)",
	}, order)
	assert.Equal(t, []string{"", loadRequest().PhoneNumber}, phones)
}
