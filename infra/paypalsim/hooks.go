package paypalsim

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"hash/crc32"
	"math/big"
	"net/http"
	"reflect"
	"time"

	"github.com/ezscale/platform/infra/simkit"
)

// transmission is one delivery attempt as signed, kept for the verify
// postback.
type transmission struct {
	event, time, sig string
}

// newKey makes the signing key and its self-signed certificate (a new
// one each start: the certificate URL names it, as PayPal's do).
func (s *Sim) newKey() {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(fmt.Sprintf("paypalsim: signing key: %v", err))
	}
	now := time.Now()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(now.UnixNano()), Subject: pkix.Name{CommonName: "messageverificationcerts.paypal.com", Organization: []string{"PayPal, Inc."}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(1, 0, 0), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(fmt.Sprintf("paypalsim: certificate: %v", err))
	}
	s.key, s.certPEM = key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	s.certID = fmt.Sprintf("CERT-360caa42-fca2a594-%08x", now.UnixNano()&0xffffffff)
}

// CertURL is where the signing certificate is served.
func (s *Sim) CertURL() string { return s.base + "/v1/notifications/certs/" + s.certID }

func (s *Sim) cert(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") != s.certID {
		notFound(w)
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	_, _ = w.Write(s.certPEM)
}

// emit queues an event (s.mu held); its body is fixed now, byte for byte.
func (s *Sim) emit(eventType, resourceType string, resource map[string]any) {
	now := s.now().UTC()
	id := s.id("WH-", 17) + "-" + s.id("", 17)
	b, _ := json.Marshal(map[string]any{"id": id, "event_version": "1.0", "create_time": now.Format("2006-01-02T15:04:05.000Z"), "resource_type": resourceType,
		"resource_version": "2.0", "event_type": eventType, "summary": eventType, "resource": resource,
		"links": []map[string]string{{"href": "/v1/notifications/webhooks-events/" + id, "rel": "self", "method": "GET"},
			{"href": "/v1/notifications/webhooks-events/" + id + "/resend", "rel": "resend", "method": "POST"}}})
	s.st.Events = append(s.st.Events, &Event{ID: id, Type: eventType, Body: string(b)})
}

// Sign is the transmission signature PayPal sends for body: base64 of
// SHA256withRSA over "id|time|webhook id|crc32", the CRC-32 (IEEE) of
// the body as an unsigned decimal.
func (s *Sim) Sign(transmissionID, at string, body []byte) string {
	msg := fmt.Sprintf("%s|%s|%s|%d", transmissionID, at, s.WebhookID, crc32.ChecksumIEEE(body))
	sum := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, sum[:])
	if err != nil {
		panic(fmt.Sprintf("paypalsim: sign: %v", err))
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// Headers are the delivery headers of body, signed now.
func (s *Sim) Headers(body []byte) http.Header {
	tid := fmt.Sprintf("%x-%x", time.Now().UnixNano(), crc32.ChecksumIEEE(body))
	at := time.Now().UTC().Format("2006-01-02T15:04:05Z")
	sig := s.Sign(tid, at, body)
	s.mu.Lock()
	s.sent[tid] = transmission{event: string(body), time: at, sig: sig}
	s.mu.Unlock()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Paypal-Transmission-Id", tid)
	h.Set("Paypal-Transmission-Time", at)
	h.Set("Paypal-Transmission-Sig", sig)
	h.Set("Paypal-Cert-Url", s.CertURL())
	h.Set("Paypal-Auth-Algo", "SHA256withRSA")
	h.Set("Paypal-Auth-Version", "v2")
	return h
}

// verify is the verify-webhook-signature postback: SUCCESS when the
// transmission is one we sent, with that signature and time, for this
// webhook, and the event is the one sent (compared as JSON); otherwise
// FAILURE — with HTTP 200 either way, as PayPal answers.
func (s *Sim) verify(w http.ResponseWriter, r *http.Request) {
	var in struct {
		AuthAlgo         string          `json:"auth_algo"`
		CertURL          string          `json:"cert_url"`
		TransmissionID   string          `json:"transmission_id"`
		TransmissionSig  string          `json:"transmission_sig"`
		TransmissionTime string          `json:"transmission_time"`
		WebhookID        string          `json:"webhook_id"`
		Event            json.RawMessage `json:"webhook_event"`
	}
	if !body(w, r, &in) {
		return
	}
	if in.AuthAlgo == "" || in.CertURL == "" || in.TransmissionID == "" || in.TransmissionSig == "" || in.TransmissionTime == "" || in.WebhookID == "" || len(in.Event) == 0 {
		invalid(w, "webhook_event", "MISSING_REQUIRED_PARAMETER")
		return
	}
	s.mu.Lock()
	t, ok := s.sent[in.TransmissionID]
	s.mu.Unlock()
	var sent, got any
	ok = ok && in.AuthAlgo == "SHA256withRSA" && in.WebhookID == s.WebhookID && in.TransmissionSig == t.sig && in.TransmissionTime == t.time &&
		json.Unmarshal([]byte(t.event), &sent) == nil && json.Unmarshal(in.Event, &got) == nil && reflect.DeepEqual(sent, got)
	status := "FAILURE"
	if ok {
		status = "SUCCESS"
	}
	simkit.JSON(w, http.StatusOK, map[string]string{"verification_status": status})
}

// maxAttempts is PayPal's: up to 25 deliveries over 3 days.
const maxAttempts = 25

// backoff is how long after attempt n the next one comes (compressed
// from PayPal's days into seconds for local use).
func backoff(n int) time.Duration {
	return min(time.Duration(1<<min(n, 10))*100*time.Millisecond, 30*time.Second)
}

// DeliverDue posts every event due, oldest first, and returns how many
// were answered 2xx. An event not answered so is tried again later, up to
// maxAttempts times; one event failing does not hold back the others.
func (s *Sim) DeliverDue(ctx context.Context) int {
	s.mu.Lock()
	url := s.hookURL
	var due []*Event
	for _, e := range s.st.Events {
		if !e.Delivered && e.Attempts < maxAttempts && !time.Now().Before(e.NextTry) {
			due = append(due, e)
		}
	}
	s.mu.Unlock()
	if url == "" {
		return 0
	}
	n := 0
	for _, e := range due {
		ok := s.post(ctx, url, []byte(e.Body))
		s.mu.Lock()
		e.Attempts++
		e.Delivered = ok
		e.NextTry = time.Now().Add(backoff(e.Attempts))
		s.mu.Unlock()
		if ok {
			n++
		}
	}
	if len(due) > 0 {
		s.save()
	}
	return n
}

func (s *Sim) post(ctx context.Context, url string, body []byte) bool {
	return s.send(ctx, url, body)/100 == 2
}

// send delivers body, freshly signed, and returns the answer's status (0:
// none came).
func (s *Sim) send(ctx context.Context, url string, body []byte) int {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0
	}
	req.Header = s.Headers(body)
	res, err := s.client.Do(req)
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// Run delivers events as they come due until ctx ends. Renewals are the
// caller's to run (RenewDue), in step with its clock.
func (s *Sim) Run(ctx context.Context) {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.DeliverDue(ctx)
		}
	}
}

// Events are the events so far, oldest first (tests).
func (s *Sim) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Event, len(s.st.Events))
	for i, e := range s.st.Events {
		out[i] = *e
	}
	return out
}
