package notify

import (
	"context"
	"fmt"

	"github.com/ezscale/platform/shared/platform/apperr"
)

// TemplateView is a kind's template as the admin UI shows it.
type TemplateView struct {
	Kind      Kind     `json:"kind"`
	Title     string   `json:"title"`
	Template           // current: the admin's edit or the default
	Custom    bool     `json:"custom"`
	Required  []string `json:"required"`
	UpdatedBy string   `json:"updated_by,omitempty"`
}

func emailSpec(kind Kind) (Spec, error) {
	spec, ok := Lookup(kind)
	if !ok || spec.Channel != Email {
		return Spec{}, apperr.New(apperr.NotFound, "no e-mail template %q", kind)
	}
	return spec, nil
}

// Templates lists every e-mail kind's current template.
func (s *Service) Templates(ctx context.Context) ([]TemplateView, error) {
	var out []TemplateView
	for _, k := range Kinds(Email) {
		v, err := s.TemplateOf(ctx, k)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	return out, nil
}

// TemplateOf returns one kind's current template.
func (s *Service) TemplateOf(ctx context.Context, kind Kind) (*TemplateView, error) {
	spec, err := emailSpec(kind)
	if err != nil {
		return nil, err
	}
	v := &TemplateView{Kind: kind, Title: spec.Title, Required: spec.Required,
		Template: Template{Subject: spec.Subject, Text: spec.Text, HTML: spec.HTML}}
	st, err := s.store.GetTemplate(ctx, kind)
	switch {
	case err == nil:
		v.Template, v.Custom, v.UpdatedBy = st.Template, true, st.UpdatedBy
	case !apperr.Is(err, apperr.NotFound):
		return nil, fmt.Errorf("load template %s: %w", kind, err)
	}
	return v, nil
}

// SaveTemplate stores an admin's template after rendering it with the
// kind's sample data: a template that does not render is refused with the
// error, field by field.
func (s *Service) SaveTemplate(ctx context.Context, kind Kind, t Template, actor string) (*TemplateView, error) {
	spec, err := emailSpec(kind)
	if err != nil {
		return nil, err
	}
	if _, err := s.render.Render(t, spec.Sample); err != nil {
		return nil, err
	}
	if err := s.store.PutTemplate(ctx, kind, StoredTemplate{Template: t, UpdatedAt: s.clock.Now(), UpdatedBy: actor}); err != nil {
		return nil, fmt.Errorf("save template %s: %w", kind, err)
	}
	return s.TemplateOf(ctx, kind)
}

// ResetTemplate restores the default template of kind.
func (s *Service) ResetTemplate(ctx context.Context, kind Kind) (*TemplateView, error) {
	if _, err := emailSpec(kind); err != nil {
		return nil, err
	}
	if err := s.store.DeleteTemplate(ctx, kind); err != nil {
		return nil, fmt.Errorf("reset template %s: %w", kind, err)
	}
	return s.TemplateOf(ctx, kind)
}

// Preview renders t (or, when nil, the current template) with the kind's
// sample data.
func (s *Service) Preview(ctx context.Context, kind Kind, t *Template) (Rendered, error) {
	spec, err := emailSpec(kind)
	if err != nil {
		return Rendered{}, err
	}
	if t == nil {
		cur, err := s.template(ctx, kind)
		if err != nil {
			return Rendered{}, err
		}
		t = &cur
	}
	return s.render.Render(*t, spec.Sample)
}

// SendSample sends kind with its sample data to an address (e-mail) or the
// alert webhook, to try templates and transports end to end.
func (s *Service) SendSample(ctx context.Context, kind Kind, to string) (*Message, error) {
	spec, ok := Lookup(kind)
	if !ok {
		return nil, apperr.Validation(map[string]string{"kind": fmt.Sprintf("unknown notification kind %q", kind)})
	}
	key := fmt.Sprintf("sample:%s:%d", kind, s.clock.Now().UnixNano())
	return s.Send(ctx, Request{Kind: kind, To: to, Data: spec.Sample, Key: key})
}
