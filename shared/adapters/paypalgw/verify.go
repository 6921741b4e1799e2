package paypalgw

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ezscale/platform/shared/domain/gateway"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// The delivery headers PayPal signs with (lower case, as gateway.Delivery
// names them).
const (
	hTransmissionID   = "paypal-transmission-id"
	hTransmissionTime = "paypal-transmission-time"
	hTransmissionSig  = "paypal-transmission-sig"
	hCertURL          = "paypal-cert-url"
	hAuthAlgo         = "paypal-auth-algo"
)

// verify checks a delivery came from PayPal for our webhook: every
// signing header present, then the postback or the offline check. A
// forged or altered delivery is gateway.ErrSignature; a check PayPal
// could not answer is Unavailable, so the delivery is refused and PayPal
// sends it again.
func (g *Gateway) verify(ctx context.Context, d gateway.Delivery) error {
	for _, h := range []string{hTransmissionID, hTransmissionTime, hTransmissionSig, hCertURL, hAuthAlgo} {
		if d.Header[h] == "" {
			return gateway.ErrSignature
		}
	}
	if g.cfg.WebhookID == "" {
		return gateway.ErrSignature // nothing to verify against: never trusted
	}
	if g.cfg.Verify == "offline" {
		return g.verifyOffline(ctx, d)
	}
	var out struct {
		Status string `json:"verification_status"`
	}
	err := g.call(ctx, "POST", "/v1/notifications/verify-webhook-signature", map[string]any{
		"auth_algo": d.Header[hAuthAlgo], "cert_url": d.Header[hCertURL], "transmission_id": d.Header[hTransmissionID],
		"transmission_sig": d.Header[hTransmissionSig], "transmission_time": d.Header[hTransmissionTime], "webhook_id": g.cfg.WebhookID,
		// The event exactly as received: re-encoding a parsed copy can
		// change it and fail the check.
		"webhook_event": json.RawMessage(d.Body)}, "", &out)
	switch {
	case apperr.Is(err, apperr.Invalid):
		return gateway.ErrSignature // PayPal says the request itself is malformed (a body that is not JSON)
	case err != nil:
		return err
	case out.Status != "SUCCESS":
		return gateway.ErrSignature
	}
	return nil
}

// verifyOffline checks the signature itself: SHA256withRSA over
// "transmission id|time|webhook id|CRC-32 of the body as unsigned decimal"
// with the certificate's key, the certificate fetched only from PayPal's
// hosts (or those configured) and within its validity.
func (g *Gateway) verifyOffline(ctx context.Context, d gateway.Delivery) error {
	if d.Header[hAuthAlgo] != "SHA256withRSA" {
		return gateway.ErrSignature
	}
	if !g.certHostAllowed(d.Header[hCertURL]) {
		return gateway.ErrSignature
	}
	cert, err := g.certs.get(ctx, d.Header[hCertURL])
	if err != nil {
		return err
	}
	if now := g.now(); now.Before(cert.NotBefore) || now.After(cert.NotAfter) {
		return gateway.ErrSignature
	}
	if cn := strings.ToLower(cert.Subject.CommonName); !strings.HasSuffix(cn, ".paypal.com") {
		return gateway.ErrSignature // PayPal signs with messageverificationcerts.paypal.com
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return gateway.ErrSignature
	}
	sig, err := base64.StdEncoding.DecodeString(d.Header[hTransmissionSig])
	if err != nil {
		return gateway.ErrSignature
	}
	msg := fmt.Sprintf("%s|%s|%s|%d", d.Header[hTransmissionID], d.Header[hTransmissionTime], g.cfg.WebhookID, crc32.ChecksumIEEE(d.Body))
	sum := sha256.Sum256([]byte(msg))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) != nil {
		return gateway.ErrSignature
	}
	return nil
}

// certHostAllowed keeps the certificate fetch from being pointed anywhere
// (the URL comes with the delivery): HTTPS on paypal.com or a subdomain,
// or a host configured (the simulator).
func (g *Gateway) certHostAllowed(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil {
		return false
	}
	for _, h := range g.cfg.CertHosts {
		if strings.EqualFold(u.Host, h) {
			return true
		}
	}
	host := strings.ToLower(u.Hostname())
	return u.Scheme == "https" && u.Port() == "" && (host == "paypal.com" || strings.HasSuffix(host, ".paypal.com"))
}

// certCache keeps certificates by URL (PayPal names each by its URL).
type certCache struct {
	client *http.Client
	mu     sync.Mutex
	byURL  map[string]*x509.Certificate
}

func newCertCache(c *http.Client) *certCache {
	return &certCache{client: c, byURL: map[string]*x509.Certificate{}}
}

func (c *certCache) get(ctx context.Context, u string) (*x509.Certificate, error) {
	c.mu.Lock()
	cert := c.byURL[u]
	c.mu.Unlock()
	if cert != nil {
		return cert, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, gateway.ErrSignature
	}
	res, err := c.client.Do(req)
	if err != nil {
		return nil, apperr.Wrap(fmt.Errorf("fetch PayPal certificate: %w", err), apperr.Unavailable, "PayPal's certificate could not be fetched")
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, apperr.New(apperr.Unavailable, "PayPal's certificate could not be fetched (%d)", res.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if err != nil {
		return nil, apperr.Wrap(err, apperr.Unavailable, "PayPal's certificate could not be read")
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, gateway.ErrSignature
	}
	if cert, err = x509.ParseCertificate(block.Bytes); err != nil {
		return nil, gateway.ErrSignature
	}
	c.mu.Lock()
	c.byURL[u] = cert
	c.mu.Unlock()
	return cert, nil
}
