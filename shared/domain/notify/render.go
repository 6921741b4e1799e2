package notify

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"math"
	"strings"
	texttemplate "text/template"
	"time"

	"github.com/ezscale/platform/shared/domain/money"
	"github.com/ezscale/platform/shared/platform/apperr"
)

// Template is an e-mail's editable parts: subject and text are text
// templates; HTML is an html/template fragment placed inside the branded
// layout. Data keys are referenced as {{.key}}; a missing key is an error.
type Template struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
}

// Rendered is a ready-to-send e-mail body.
type Rendered struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"`
}

// Brand is what every template may use: {{.company}}, {{.site_url}},
// {{.account_url}}, {{.support_email}}. Callers cannot override these.
type Brand struct {
	Company      string
	SiteURL      string
	AccountURL   string
	SupportEmail string
}

// Renderer renders templates with the brand and helper functions.
type Renderer struct{ brand Brand }

// NewRenderer returns a renderer for the brand.
func NewRenderer(b Brand) *Renderer { return &Renderer{brand: b} }

// maxTemplate bounds an admin-edited template part.
const maxTemplate = 64 << 10

func toInt64(v any) (int64, error) {
	switch n := v.(type) {
	case int:
		return int64(n), nil
	case int64:
		return n, nil
	case float64: // data that went through JSON
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return 0, fmt.Errorf("amount %v is not whole minor units", n)
		}
		return int64(n), nil
	}
	return 0, fmt.Errorf("amount must be a number of minor units, got %T", v)
}

func formatMoney(amount any, currency any) (string, error) {
	a, err := toInt64(amount)
	if err != nil {
		return "", err
	}
	cur, _ := currency.(string)
	if !money.Supported(cur) {
		return "", fmt.Errorf("unsupported currency %q", currency)
	}
	return money.Money{Amount: a, Currency: cur}.String(), nil
}

var textFuncs = texttemplate.FuncMap{"money": formatMoney, "upper": strings.ToUpper}

var htmlFuncs = htmltemplate.FuncMap{
	"money": formatMoney,
	"upper": strings.ToUpper,
	// button renders a bulletproof (table-based) call-to-action link.
	"button": func(href, label string) (htmltemplate.HTML, error) {
		if !strings.HasPrefix(href, "https://") && !strings.HasPrefix(href, "http://") {
			return "", fmt.Errorf("button link must be an http(s) URL, got %q", href)
		}
		return htmltemplate.HTML(fmt.Sprintf(
			`<table role="presentation" cellpadding="0" cellspacing="0" style="margin:24px 0"><tr><td class="btn" style="border-radius:8px;background:#1f4fd1"><a href="%s" style="display:inline-block;padding:12px 24px;font:600 16px/1.2 Arial,Helvetica,sans-serif;color:#ffffff;text-decoration:none;border-radius:8px">%s</a></td></tr></table>`,
			htmltemplate.HTMLEscapeString(href), htmltemplate.HTMLEscapeString(label))), nil
	},
}

func (r *Renderer) data(in map[string]any) map[string]any {
	d := make(map[string]any, len(in)+5)
	for k, v := range in {
		d[k] = v
	}
	d["company"] = r.brand.Company
	d["site_url"] = r.brand.SiteURL
	d["account_url"] = r.brand.AccountURL
	d["support_email"] = r.brand.SupportEmail
	d["year"] = time.Now().Year()
	return d
}

// Check parses every part of t without data; it reports syntax errors by
// part ("subject", "text", "html") as field errors.
func (r *Renderer) Check(t Template) error {
	f := apperr.FieldErrors{}
	for name, src := range map[string]string{"subject": t.Subject, "text": t.Text, "html": t.HTML} {
		if strings.TrimSpace(src) == "" {
			f.Add(name, "must not be empty")
			continue
		}
		if len(src) > maxTemplate {
			f.Add(name, fmt.Sprintf("must be at most %d bytes", maxTemplate))
			continue
		}
		var err error
		if name == "html" {
			_, err = htmltemplate.New(name).Funcs(htmlFuncs).Parse(src)
		} else {
			_, err = texttemplate.New(name).Funcs(textFuncs).Parse(src)
		}
		if err != nil {
			f.Add(name, err.Error())
		}
	}
	return f.Err()
}

// Render renders t with data. Errors (syntax, a missing key, a bad value)
// are apperr.Invalid with the failing part named.
func (r *Renderer) Render(t Template, data map[string]any) (Rendered, error) {
	if err := r.Check(t); err != nil {
		return Rendered{}, err
	}
	d := r.data(data)
	var out Rendered
	var err error
	f := apperr.FieldErrors{}
	if out.Subject, err = execText("subject", t.Subject, d); err != nil {
		f.Add("subject", err.Error())
	}
	out.Subject = strings.Join(strings.Fields(out.Subject), " ") // one line, always
	if out.Text, err = execText("text", t.Text, d); err != nil {
		f.Add("text", err.Error())
	}
	body, err := execHTML("html", t.HTML, d)
	if err != nil {
		f.Add("html", err.Error())
	}
	if err := f.Err(); err != nil {
		return Rendered{}, err
	}
	var buf bytes.Buffer
	if err := layout().Execute(&buf, map[string]any{
		"subject": out.Subject, "body": htmltemplate.HTML(body), "preheader": firstLine(out.Text),
		"company": r.brand.Company, "support_email": r.brand.SupportEmail, "site_url": r.brand.SiteURL,
	}); err != nil {
		return Rendered{}, fmt.Errorf("render layout: %w", err)
	}
	out.HTML = buf.String()
	return out, nil
}

func execText(name, src string, d map[string]any) (string, error) {
	t, err := texttemplate.New(name).Funcs(textFuncs).Option("missingkey=error").Parse(src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	err = t.Execute(&b, d)
	return b.String(), err
}

func execHTML(name, src string, d map[string]any) (string, error) {
	t, err := htmltemplate.New(name).Funcs(htmlFuncs).Option("missingkey=error").Parse(src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	err = t.Execute(&b, d)
	return b.String(), err
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			if len(l) > 140 {
				l = l[:140]
			}
			return l
		}
	}
	return ""
}
