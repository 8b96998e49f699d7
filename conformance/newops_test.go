package conformance

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatappkit/chatapp/conformance/officialcams"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
	"github.com/chatappkit/chatapp"
	"github.com/chatappkit/chatapp/chatapptest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// templateCode and templateLanguage name a template of the emulator's
// channel (chatapptest.DefaultTemplates) that has two buttons.
const (
	templateCode     = "welcome_offer"
	templateLanguage = "en"
)

// opsServer is an emulator whose second number is banned, so that health
// answers carry error entries, behind a loopback front that keeps the raw
// query of every request, as it arrived, before the emulator parses it.
type opsServer struct {
	*chatapptest.Server
	front *httptest.Server
	mu    sync.Mutex
	raw   []string
}

func newOpsServer(t *testing.T) *opsServer {
	t.Helper()
	o := &opsServer{Server: newServer(t)}
	banned := o.PhoneNumberInfos()[1]
	banned.Status, banned.IsOfficial = chatapp.PhoneNumberBanned, true
	require.NoError(t, o.SetPhoneNumber(banned))
	o.front = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.raw = append(o.raw, r.URL.RawQuery)
		o.mu.Unlock()
		o.Emulator.ServeHTTP(w, r)
	}))
	t.Cleanup(o.front.Close)
	return o
}

// clients returns the official core's client and ours, both signing with
// the emulator's key under s and sending through the front.
func (o *opsServer) clients(t *testing.T, s scheme) (*openapi.Client, *chatapp.Client) {
	t.Helper()
	k := keyPair{id: o.AccessKeyID, secret: o.AccessKeySecret}
	official := officialClient(t, o.front.URL, k, s, nil)
	ours, err := chatapp.NewClient(chatapp.WithEndpoint(o.front.URL), chatapp.WithAccessKey(k.id, k.secret),
		chatapp.WithSignatureVersion(chatappVersion(s)))
	require.NoError(t, err)
	return official, ours
}

// lastRaw returns the operation's own parameters of the newest request as
// they were encoded on the wire, by name.
func (o *opsServer) lastRaw(t *testing.T) map[string]string {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	require.NotEmpty(t, o.raw)
	out := map[string]string{}
	for pair := range strings.SplitSeq(o.raw[len(o.raw)-1], "&") {
		name, value, _ := strings.Cut(pair, "=")
		if !signingParams[name] {
			out[name] = value
		}
	}
	return out
}

// lastRequest is the newest logged request.
func lastRequest(t *testing.T, srv *opsServer) chatapptest.Request {
	t.Helper()
	log := srv.Requests()
	require.NotEmpty(t, log)
	return log[len(log)-1]
}

// signingParams are the parameters each scheme adds for itself; the rest
// of the query is the operation's own.
var signingParams = map[string]bool{
	"AccessKeyId": true, "Action": true, "Format": true, "Signature": true, "SignatureMethod": true,
	"SignatureNonce": true, "SignatureVersion": true, "Timestamp": true, "Version": true, "SecurityToken": true,
}

// operationParams returns the operation's own query parameters.
func operationParams(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		if !signingParams[k] {
			out[k] = v
		}
	}
	return out
}

// sent is one request as the emulator logged it and as its query was
// encoded on the wire.
type sent struct {
	req chatapptest.Request
	raw map[string]string
}

func (o *opsServer) last(t *testing.T) sent {
	t.Helper()
	return sent{req: lastRequest(t, o), raw: o.lastRaw(t)}
}

// requireSameWire checks that the two requests carried the same operation
// parameters, in the query and nowhere else, with the same values, and
// that our percent-encoding of them is byte for byte the official core's.
func requireSameWire(t *testing.T, oursSent, officialSent sent, action string) {
	ours, offReq := oursSent.req, officialSent.req
	t.Helper()
	assert.Equal(t, action, ours.Action)
	assert.Equal(t, action, offReq.Action)
	assert.Equal(t, offReq.Method, ours.Method)
	assert.Equal(t, offReq.Path, ours.Path)
	assert.Equal(t, operationParams(offReq.Query), operationParams(ours.Query), "same names and values in the query")
	assert.Empty(t, ours.Form, "no form body")
	assert.Empty(t, offReq.Form, "no form body")
	assert.Empty(t, ours.Body)
	assert.Empty(t, offReq.Body)
	assert.Equal(t, offReq.Scheme, ours.Scheme)
	// The one difference in encoding: the official core writes a space in
	// the query as "+" (Go's url.Values.Encode), chatapp as "%20" (RFC
	// 3986, the form both signatures canonicalise to). The gateway reads
	// both as a space; every other byte is the same.
	official := map[string]string{}
	for name, v := range officialSent.raw {
		official[name] = strings.ReplaceAll(v, "+", "%20")
	}
	assert.Equal(t, official, oursSent.raw, "same percent-encoding, byte for byte, but for the space")
	assert.NotEmpty(t, oursSent.raw)
}

func TestOfficialQueryChatappPhoneNumbers(t *testing.T) {
	for _, s := range schemes {
		t.Run(s.name, func(t *testing.T) {
			srv := newOpsServer(t)
			official, ours := srv.clients(t, s)

			off, err := officialcams.QueryPhoneNumbers(official, &officialcams.PhoneNumbersRequest{CustSpaceId: dara.String(srv.CustSpaceID()), IsvCode: dara.String("isv code+1")}, nil)
			require.NoError(t, err)
			offReq := srv.last(t)
			resp, err := ours.QueryChatappPhoneNumbers(context.Background(), &chatapp.QueryChatappPhoneNumbersRequest{CustSpaceID: srv.CustSpaceID(), IsvCode: "isv code+1"})
			require.NoError(t, err)
			requireSameWire(t, srv.last(t), offReq, "QueryChatappPhoneNumbers")

			require.NotNil(t, off.Body)
			assert.Equal(t, "OK", dara.StringValue(off.Body.Code))
			require.Len(t, off.Body.PhoneNumbers, len(resp.PhoneNumbers))
			require.Len(t, resp.PhoneNumbers, 2)
			for i, p := range resp.PhoneNumbers {
				o := off.Body.PhoneNumbers[i]
				assert.Equal(t, dara.StringValue(o.PhoneNumber), p.PhoneNumber)
				assert.Equal(t, dara.StringValue(o.Status), string(p.Status))
				assert.Equal(t, dara.StringValue(o.QualityRating), string(p.QualityRating))
				assert.Equal(t, dara.StringValue(o.MessagingLimitTier), string(p.MessagingLimitTier))
				assert.Equal(t, dara.StringValue(o.CodeVerificationStatus), string(p.CodeVerificationStatus))
				assert.Equal(t, dara.StringValue(o.VerifiedName), p.VerifiedName)
				assert.Equal(t, dara.StringValue(o.IsOfficial) == "Y", p.IsOfficial)
				assert.Equal(t, dara.StringValue(o.StatusCallbackUrl), p.StatusCallbackURL)
			}
			assert.Equal(t, srv.PhoneNumberInfos(), resp.PhoneNumbers)
			assert.Equal(t, "Y", dara.StringValue(off.Body.PhoneNumbers[1].IsOfficial))
		})
	}
}

func TestOfficialGetChatappTemplateMetric(t *testing.T) {
	for _, s := range schemes {
		for _, g := range []chatapp.Granularity{chatapp.GranularityDaily, chatapp.GranularityHalfHour} {
			t.Run(s.name+"/"+string(g), func(t *testing.T) {
				srv := newOpsServer(t)
				official, ours := srv.clients(t, s)
				start, end := dailyStart, dailyEnd
				if g == chatapp.GranularityHalfHour {
					start, end = halfHourStart, halfHourEnd
				}

				off, err := officialcams.GetTemplateMetric(official, &officialcams.TemplateMetricRequest{
					TemplateCode: dara.String(templateCode), Language: dara.String(templateLanguage),
					TemplateType: dara.String("WHATSAPP"), Granularity: dara.String(string(g)),
					Start: dara.Int64(start.UnixMilli()), End: dara.Int64(end.UnixMilli()),
					CustSpaceId: dara.String(custSpaceID), IsvCode: dara.String("isv/code*~ é"),
				}, nil)
				require.NoError(t, err)
				offReq := srv.last(t)
				req := &chatapp.GetChatappTemplateMetricRequest{
					TemplateCode: templateCode, Language: templateLanguage, TemplateType: "WHATSAPP", Granularity: g,
					Start: start, End: end, CustSpaceID: custSpaceID, IsvCode: "isv/code*~ é",
				}
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				resp, err := ours.GetChatappTemplateMetric(ctx, req)
				require.NoError(t, err)
				requireSameWire(t, srv.last(t), offReq, "GetChatappTemplateMetric")

				want, err := srv.TemplateMetrics(req)
				require.NoError(t, err)
				assert.Equal(t, want, resp.Data)
				require.NotNil(t, off.Body)
				require.Len(t, off.Body.Data, len(resp.Data))
				require.Len(t, resp.Data, map[chatapp.Granularity]int{chatapp.GranularityDaily: 7, chatapp.GranularityHalfHour: 48}[g])
				for i, p := range resp.Data {
					o := off.Body.Data[i]
					assert.Equal(t, dara.StringValue(o.TemplateCode), p.TemplateCode)
					assert.Equal(t, dara.StringValue(o.Language), p.Language)
					assert.Equal(t, int64(dara.Int32Value(o.SentCount)), p.SentCount)
					assert.Equal(t, int64(dara.Int32Value(o.DeliveredCount)), p.DeliveredCount)
					assert.Equal(t, int64(dara.Int32Value(o.ReadCount)), p.ReadCount)
					assert.Equal(t, dara.Int64Value(o.Start), p.Start.UnixMilli())
					assert.Equal(t, dara.Int64Value(o.End), p.End.UnixMilli())
					require.Len(t, o.Cliented, len(p.Clicks))
					for j, c := range p.Clicks {
						assert.Equal(t, dara.StringValue(o.Cliented[j].Type), string(c.Type))
						assert.Equal(t, dara.StringValue(o.Cliented[j].ButtonContent), c.ButtonContent)
						assert.Equal(t, int64(dara.Int32Value(o.Cliented[j].Count)), c.Count)
					}
				}
			})
		}
	}
}

func TestOfficialGetWhatsappHealthStatus(t *testing.T) {
	for _, s := range schemes {
		for _, node := range []chatapp.GetWhatsappHealthStatusRequest{
			{NodeType: chatapp.NodePhone, PhoneNumber: "8613800005678"},
			{NodeType: chatapp.NodeTemplate, TemplateCode: templateCode, Language: templateLanguage},
			{NodeType: chatapp.NodeWABA, WabaID: chatapptest.DefaultWabaID},
		} {
			t.Run(s.name+"/"+string(node.NodeType), func(t *testing.T) {
				srv := newOpsServer(t)
				official, ours := srv.clients(t, s)
				node.CustSpaceID = srv.CustSpaceID()

				offModel := &officialcams.HealthRequest{NodeType: dara.String(string(node.NodeType)), CustSpaceId: dara.String(node.CustSpaceID)}
				if node.PhoneNumber != "" {
					offModel.PhoneNumber = dara.String(node.PhoneNumber)
				}
				if node.TemplateCode != "" {
					offModel.TemplateCode, offModel.Language = dara.String(node.TemplateCode), dara.String(node.Language)
				}
				if node.WabaID != "" {
					offModel.WabaId = dara.String(node.WabaID)
				}
				off, err := officialcams.GetHealthStatus(official, offModel, nil)
				require.NoError(t, err)
				offReq := srv.last(t)
				resp, err := ours.GetWhatsappHealthStatus(context.Background(), &node)
				require.NoError(t, err)
				requireSameWire(t, srv.last(t), offReq, "GetWhatsappHealthStatus")

				require.NotNil(t, off.Body)
				require.NotNil(t, off.Body.Data)
				assert.True(t, dara.BoolValue(off.Body.Success))
				assert.Equal(t, dara.StringValue(off.Body.Data.CanSendMessage), string(resp.CanSendMessage))
				require.Len(t, off.Body.Data.Entities, len(resp.Entities))
				require.NotEmpty(t, resp.Entities)
				for i, e := range resp.Entities {
					o := off.Body.Data.Entities[i]
					assert.Equal(t, dara.StringValue(o.EntityType), string(e.EntityType))
					assert.Equal(t, dara.StringValue(o.CanSendMessage), string(e.CanSendMessage))
					assert.Equal(t, dara.StringValue(o.PhoneNumber), e.PhoneNumber)
					assert.Equal(t, dara.StringValue(o.TemplateCode), e.TemplateCode)
					assert.Equal(t, dara.StringValue(o.WabaId), e.WabaID)
					require.Len(t, o.Errors, len(e.Errors))
					for j, x := range e.Errors {
						assert.Equal(t, dara.StringValue(o.Errors[j].ErrorCode), x.ErrorCode)
						assert.Equal(t, dara.StringValue(o.Errors[j].ErrorDescription), x.ErrorDescription)
					}
				}
				if node.NodeType != chatapp.NodeTemplate {
					assert.Equal(t, chatapp.SendBlocked, resp.CanSendMessage, "the banned number blocks")
				}
			})
		}
	}
}
