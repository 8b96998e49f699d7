package chatapptest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

// jsonContentType is the Content-Type the gateway sends with JSON.
const jsonContentType = "application/json;charset=utf-8"

// response is an answer ready to be written.
type response struct {
	status    int
	code      string // the body's Code
	requestID string
	body      []byte
}

// write notes the answer's status, Code and RequestId in rec, then sends
// it with the headers the gateway sends with JSON.
func (a *response) write(w http.ResponseWriter, rec *Request) {
	rec.Status, rec.Code, rec.RequestID = a.status, a.code, a.requestID
	w.Header().Set("x-acs-request-id", a.requestID)
	writeBody(w, a.status, jsonContentType, len(a.body), a.body)
}

// writeBody sends status and body with Content-Type contentType (none if
// empty) and a Content-Length of declared bytes, which is len(body) but
// for an answer meant to be cut short.
func writeBody(w http.ResponseWriter, status int, contentType string, declared int, body []byte) {
	h := w.Header()
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	h.Set("Content-Length", strconv.Itoa(declared))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// errorBody is the gateway's error document.
type errorBody struct {
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend"`
}

// errorResponse renders err as the gateway does.
func errorResponse(err *apiError) *response {
	id := newRequestID()
	body := marshal(errorBody{
		RequestID: id,
		HostID:    hostID,
		Code:      err.code,
		Message:   err.message,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(err.code) + "&product=cams&requestId=" + id,
	})
	return &response{status: err.status, code: err.code, requestID: id, body: body}
}

// okResponse is HTTP 200 with body, whose RequestId is id.
func okResponse(id string, body []byte) *response {
	return &response{status: http.StatusOK, code: codeOK, requestID: id, body: body}
}

// newRequestID returns a random UUID in upper-case hex, the shape of the
// service's RequestId (e.g. 608F9CCA-B5EB-3D72-8047-B25D6D75BDEC).
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])  // crypto/rand.Read never fails (Go 1.24+).
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	for i, c := range out {
		if 'a' <= c && c <= 'f' {
			out[i] = c - 'a' + 'A'
		}
	}
	return string(out[:])
}

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	return append(b, marshal(s)...)
}

// marshal encodes v, which is made of strings only and so always encodes,
// without json.Marshal's escaping of <, > and &: the gateway writes URLs
// in Recommend with a plain '&'.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
