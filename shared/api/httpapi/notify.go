package httpapi

import (
	"net/http"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/notify"
	"github.com/ezscale/platform/shared/platform/apperr"
)

type notifyHandlers struct{ Deps }

func (h notifyHandlers) listTemplates(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Notify.Templates(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"templates": list})
	return nil
}

func (h notifyHandlers) getTemplate(w http.ResponseWriter, r *http.Request) error {
	v, err := h.Notify.TemplateOf(r.Context(), notify.Kind(r.PathValue("kind")))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, v)
	return nil
}

func (h notifyHandlers) saveTemplate(w http.ResponseWriter, r *http.Request) error {
	var t notify.Template
	if err := httpx.Decode(r, &t); err != nil {
		return err
	}
	kind := notify.Kind(r.PathValue("kind"))
	before, err := h.Notify.TemplateOf(r.Context(), kind)
	if err != nil {
		return err
	}
	v, err := h.Notify.SaveTemplate(r.Context(), kind, t, principal(r).User.Email)
	if err != nil {
		return err
	}
	h.record(r, "notification_template.save", "notification_template", string(kind), before.Template, t)
	httpx.JSON(w, http.StatusOK, v)
	return nil
}

func (h notifyHandlers) resetTemplate(w http.ResponseWriter, r *http.Request) error {
	kind := notify.Kind(r.PathValue("kind"))
	before, err := h.Notify.TemplateOf(r.Context(), kind)
	if err != nil {
		return err
	}
	v, err := h.Notify.ResetTemplate(r.Context(), kind)
	if err != nil {
		return err
	}
	h.record(r, "notification_template.reset", "notification_template", string(kind), before.Template, v.Template)
	httpx.JSON(w, http.StatusOK, v)
	return nil
}

// preview renders the posted template, or the current one for an empty body.
func (h notifyHandlers) preview(w http.ResponseWriter, r *http.Request) error {
	var t *notify.Template
	if r.ContentLength != 0 {
		t = &notify.Template{}
		if err := httpx.Decode(r, t); err != nil {
			return err
		}
	}
	out, err := h.Notify.Preview(r.Context(), notify.Kind(r.PathValue("kind")), t)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, out)
	return nil
}

func (h notifyHandlers) list(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	msgs, next, err := h.Notify.List(r.Context(), notify.Status(q.Get("status")), q.Get("cursor"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"notifications": msgs, "next_cursor": next})
	return nil
}

func (h notifyHandlers) get(w http.ResponseWriter, r *http.Request) error {
	m, err := h.Notify.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, m)
	return nil
}

type sampleRequest struct {
	Kind notify.Kind `json:"kind"`
	To   string      `json:"to"`
}

// sendSample sends a kind with its sample data, to try a template and the
// transports end to end.
func (h notifyHandlers) sendSample(w http.ResponseWriter, r *http.Request) error {
	var in sampleRequest
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.Kind == "" {
		return apperr.Validation(map[string]string{"kind": "is required"})
	}
	m, err := h.Notify.SendSample(r.Context(), in.Kind, in.To)
	if err != nil {
		return err
	}
	h.record(r, "notification.send_sample", "notification", m.ID, nil, in)
	httpx.JSON(w, http.StatusAccepted, m)
	return nil
}

func (h notifyHandlers) resend(w http.ResponseWriter, r *http.Request) error {
	m, err := h.Notify.Resend(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	h.record(r, "notification.resend", "notification", m.ID, nil, nil)
	httpx.JSON(w, http.StatusAccepted, m)
	return nil
}
