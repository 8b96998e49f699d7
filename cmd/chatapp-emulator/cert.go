package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"time"
)

// selfSigned makes a certificate for the listen address: its host (or, for
// an unspecified address such as 0.0.0.0, localhost, the loopback
// addresses and the machine's host name), plus extra names or IPs. It is
// valid for a year from now and returns the TLS pair and the PEM
// certificate for clients to trust.
func selfSigned(listen net.Addr, requested string, extra []string, now time.Time) (tls.Certificate, []byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "chatapp-emulator", Organization: []string{"chatapp-emulator (self-signed, for tests)"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(1, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, h := range certHosts(listen, requested, extra) {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pemCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pemCert, nil
}

// certHosts lists the names the certificate covers, without repeats.
func certHosts(listen net.Addr, requested string, extra []string) []string {
	var hosts []string
	add := func(h string) {
		for _, x := range hosts {
			if x == h {
				return
			}
		}
		if h != "" {
			hosts = append(hosts, h)
		}
	}
	host, _, err := net.SplitHostPort(requested)
	if err != nil {
		host = ""
	}
	ip := net.ParseIP(host)
	if tcp, ok := listen.(*net.TCPAddr); ok && (host == "" || ip != nil) {
		ip = tcp.IP
	}
	switch {
	case host == "" || (ip != nil && ip.IsUnspecified()):
		add("localhost")
		add("127.0.0.1")
		add("::1")
		if name, err := os.Hostname(); err == nil {
			add(name)
		}
	case ip != nil:
		add(ip.String())
	default:
		add(host)
	}
	for _, h := range extra {
		add(h)
	}
	return hosts
}
