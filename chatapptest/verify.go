package chatapptest

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
	"time"
)

// authenticate checks a request as the gateway does, in this order: the
// signature parts are all there, the version and action exist, the
// timestamp is well formed and fresh, the AccessKey (and STS token) is
// known, the signature covers what it must and matches, and the nonce is
// new. The nonce is remembered only once the signature matched, so a
// forged request cannot use up a nonce.
func (e *Emulator) authenticate(in *incoming, now time.Time) *apiError {
	var (
		c   callerParts
		err *apiError
	)
	switch in.scheme {
	case SchemeV3:
		c, err = v3Parts(in)
	case SchemeRPC:
		c, err = rpcParts(in)
	default:
		return errIncompleteSignature("The request carries neither an ACS3 Authorization header nor RPC signature parameters.")
	}
	if err != nil {
		return err
	}
	if err := checkAPI(c.action, c.version); err != nil {
		return err
	}
	ts, err := e.checkTimestamp(c.timestamp, now)
	if err != nil {
		return err
	}
	key, err := e.lookupKey(in.accessKeyID, c.token)
	if err != nil {
		return err
	}
	if in.scheme == SchemeV3 {
		err = verifyV3(in, key.secret)
	} else {
		err = verifyRPC(in, key.secret)
	}
	if err != nil {
		return err
	}
	expires := ts.Add(e.skew)
	if e.skew <= 0 {
		expires = now.Add(DefaultTimestampSkew)
	}
	if !e.nonces.use(in.accessKeyID, c.nonce, now, expires) {
		return newError(http.StatusBadRequest, codeNonceUsed, nonceUsedMessage)
	}
	return nil
}

// callerParts are the common parameters of either scheme.
type callerParts struct {
	action, version, timestamp, nonce, token string
}

// v3Parts collects the ACS3 headers and checks that none is missing.
func v3Parts(in *incoming) (callerParts, *apiError) {
	h := in.header
	c := callerParts{
		action:    h.Get("x-acs-action"),
		version:   h.Get("x-acs-version"),
		timestamp: h.Get("x-acs-date"),
		nonce:     h.Get("x-acs-signature-nonce"),
		token:     h.Get("x-acs-security-token"),
	}
	a := in.auth
	switch {
	case a.credential == "":
		return c, errIncompleteSignature("The Authorization header has no Credential.")
	case a.signedHeaders == "":
		return c, errIncompleteSignature("The Authorization header has no SignedHeaders.")
	case a.signature == "":
		return c, errIncompleteSignature("The Authorization header has no Signature.")
	case c.timestamp == "":
		return c, errIncompleteSignature("The x-acs-date header is missing.")
	case c.nonce == "":
		return c, errIncompleteSignature("The x-acs-signature-nonce header is missing.")
	case h.Get("x-acs-content-sha256") == "":
		return c, errIncompleteSignature("The x-acs-content-sha256 header is missing.")
	case c.action == "":
		return c, errMissingParameter("x-acs-action")
	case c.version == "":
		return c, errMissingParameter("x-acs-version")
	}
	if v := h.Get("x-acs-accesskey-id"); v != "" && v != a.credential {
		return c, errIncompleteSignature("The x-acs-accesskey-id header differs from the Credential.")
	}
	if _, ok := v3Algorithms[a.algorithm]; !ok {
		return c, newError(http.StatusBadRequest, codeSignatureMethod, signatureMethodMessage)
	}
	return c, nil
}

// rpcParts collects the RPC common parameters and checks them.
func rpcParts(in *incoming) (callerParts, *apiError) {
	p := in.params
	c := callerParts{
		action:    p.Get("Action"),
		version:   p.Get("Version"),
		timestamp: p.Get("Timestamp"),
		nonce:     p.Get("SignatureNonce"),
		token:     p.Get("SecurityToken"),
	}
	for _, name := range [...]string{"AccessKeyId", "Signature", "SignatureMethod", "SignatureVersion", "SignatureNonce", "Timestamp"} {
		if p.Get(name) == "" {
			return c, errIncompleteSignature("The parameter " + name + " is missing.")
		}
	}
	switch {
	case c.action == "":
		return c, errMissingParameter("Action")
	case c.version == "":
		return c, errMissingParameter("Version")
	case p.Get("SignatureMethod") != "HMAC-SHA1":
		return c, newError(http.StatusBadRequest, codeSignatureMethod, signatureMethodMessage)
	case p.Get("SignatureVersion") != "1.0":
		return c, newError(http.StatusBadRequest, codeSignatureVersion, signatureVersionMessage)
	}
	// The JSON answer is the only one the emulator writes; darabonba sends
	// "json", the older SDK "JSON".
	if f := p.Get("Format"); f != "" && !strings.EqualFold(f, "json") {
		return c, errInvalidParameter("Specified parameter Format is not valid: the emulator answers only in JSON.")
	}
	return c, nil
}

// checkAPI checks that the version and the action name an operation the
// emulator serves.
func checkAPI(action, version string) *apiError {
	if version != apiVersion {
		return newError(http.StatusBadRequest, codeInvalidVersion, invalidVersionMessage)
	}
	if !slices.Contains(servedActions, action) {
		return newError(http.StatusNotFound, codeAPINotFound, apiNotFoundMessage)
	}
	return nil
}

// checkTimestamp parses a Timestamp or x-acs-date (yyyy-MM-ddTHH:mm:ssZ,
// or any RFC 3339 time) and checks that it is within the allowed skew of
// now.
func (e *Emulator) checkTimestamp(v string, now time.Time) (time.Time, *apiError) {
	ts, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, newError(http.StatusBadRequest, codeTimestampFormat, timestampFormatMessage)
	}
	if e.skew > 0 {
		if d := now.Sub(ts); d > e.skew || d < -e.skew {
			return time.Time{}, newError(http.StatusBadRequest, codeTimestampExpired, timestampExpiredMessage)
		}
	}
	return ts, nil
}

// verifyV3 recomputes an ACS3 signature over the request as it arrived:
// the headers named by SignedHeaders (which must include host, content-type
// when present and every x-acs-* header), the query, and the hash of the
// exact body bytes, which x-acs-content-sha256 must equal.
func verifyV3(in *incoming, secret string) *apiError {
	a := in.auth
	newHash := v3Algorithms[a.algorithm]
	names := strings.Split(a.signedHeaders, ";")
	for _, must := range mustSignV3(in.header, in.host) {
		if !slices.Contains(names, must) {
			return errIncompleteSignature("The header " + must + " is not signed.")
		}
	}
	headers, missing := v3CanonicalHeaders(in.header, in.host, names)
	if missing != "" {
		return errIncompleteSignature("The signed header " + missing + " is missing.")
	}
	payloadHash := hexHash(newHash, in.body)
	if !strings.EqualFold(in.header.Get("x-acs-content-sha256"), payloadHash) {
		return errSignatureDoesNotMatch("The x-acs-content-sha256 header is not the hash of the request body.")
	}
	canonical := v3CanonicalRequest(in.method, in.path, canonicalQuery(pairsOf(in.query)), headers, a.signedHeaders, payloadHash)
	stringToSign := v3StringToSign(a.algorithm, newHash, canonical)
	want := v3Signature(newHash, secret, stringToSign)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(a.signature)), []byte(want)) != 1 {
		// The real gateway quotes its string to sign; under ACS3 it is the
		// algorithm and a hash, so it reveals nothing.
		return errSignatureDoesNotMatch("server string to sign is:" + stringToSign)
	}
	return nil
}

// verifyRPC recomputes an RPC signature over every query and form-body
// parameter but Signature itself.
func verifyRPC(in *incoming, secret string) *apiError {
	pairs := pairsOf(in.query, in.form)
	pairs = slices.DeleteFunc(pairs, func(p pair) bool { return p.name == "Signature" })
	stringToSign := rpcStringToSign(in.method, pairs)
	want := rpcSignature(secret, stringToSign)
	if subtle.ConstantTimeCompare([]byte(in.params.Get("Signature")), []byte(want)) != 1 {
		if in.params.Has("SecurityToken") {
			// This string to sign would quote the token.
			return errSignatureDoesNotMatch("")
		}
		return errSignatureDoesNotMatch("server string to sign is:" + stringToSign)
	}
	return nil
}
