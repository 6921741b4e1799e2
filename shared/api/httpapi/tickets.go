package httpapi

import (
	"context"
	"mime"
	"net/http"
	"strings"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/helpdesk"
)

// Helpdesk is the support desk.
type Helpdesk interface {
	Open(ctx context.Context, a helpdesk.Actor, in helpdesk.OpenInput) (*helpdesk.Ticket, error)
	Reply(ctx context.Context, a helpdesk.Actor, id string, in helpdesk.ReplyInput) (*helpdesk.Ticket, *helpdesk.Reply, error)
	Get(ctx context.Context, a helpdesk.Actor, id string) (*helpdesk.View, error)
	Visible(ctx context.Context, a helpdesk.Actor, id string) error
	List(ctx context.Context, a helpdesk.Actor, f helpdesk.Filter) ([]helpdesk.Ticket, error)
	Change(ctx context.Context, a helpdesk.Actor, id string, c helpdesk.Changes) (*helpdesk.Ticket, error)
	Merge(ctx context.Context, a helpdesk.Actor, fromID, intoID string) (*helpdesk.Ticket, error)
	File(ctx context.Context, a helpdesk.Actor, ticketID, fileID string) (helpdesk.File, []byte, error)
	Settings(ctx context.Context) (*helpdesk.Settings, error)
	SaveSettings(ctx context.Context, in helpdesk.Settings) (*helpdesk.Settings, error)
}

type ticketHandlers struct{ Deps }

// actor is the caller as the desk knows them.
func actor(r *http.Request) helpdesk.Actor {
	u := principal(r).User
	name := u.Profile.Name
	if name == "" {
		name = u.Email
	}
	via := "web"
	if principal(r).Token != nil {
		via = "api"
	}
	return helpdesk.Actor{Person: helpdesk.Person{ID: u.ID, Name: name, Email: u.Email, Staff: u.Role.Staff()}, Via: via}
}

// customerActor is the caller acting as a customer even if staff: the
// account app's routes are the customer's side of the desk.
func customerActor(r *http.Request) helpdesk.Actor {
	a := actor(r)
	a.Staff = false
	return a
}

func filterOf(r *http.Request) helpdesk.Filter {
	q := r.URL.Query()
	f := helpdesk.Filter{DepartmentID: q.Get("department_id"), Priority: helpdesk.Priority(q.Get("priority")), AssigneeID: q.Get("assignee_id"), CustomerID: q.Get("customer_id")}
	for _, s := range strings.Split(q.Get("status"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			f.Statuses = append(f.Statuses, helpdesk.Status(s))
		}
	}
	return f
}

func (h ticketHandlers) list(who func(*http.Request) helpdesk.Actor) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		list, err := h.Helpdesk.List(r.Context(), who(r), filterOf(r))
		if err != nil {
			return err
		}
		httpx.JSON(w, http.StatusOK, map[string]any{"tickets": nonNil(list)})
		return nil
	}
}

func (h ticketHandlers) open(who func(*http.Request) helpdesk.Actor) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var in helpdesk.OpenInput
		if err := httpx.Decode(r, &in); err != nil {
			return err
		}
		t, err := h.Helpdesk.Open(r.Context(), who(r), in)
		if err != nil {
			return err
		}
		httpx.JSON(w, http.StatusCreated, t)
		return nil
	}
}

func (h ticketHandlers) get(who func(*http.Request) helpdesk.Actor) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v, err := h.Helpdesk.Get(r.Context(), who(r), r.PathValue("id"))
		if err != nil {
			return err
		}
		httpx.JSON(w, http.StatusOK, v)
		return nil
	}
}

func (h ticketHandlers) reply(who func(*http.Request) helpdesk.Actor) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := h.Helpdesk.Visible(r.Context(), who(r), r.PathValue("id")); err != nil {
			return err
		}
		var in helpdesk.ReplyInput
		if err := httpx.Decode(r, &in); err != nil {
			return err
		}
		t, rep, err := h.Helpdesk.Reply(r.Context(), who(r), r.PathValue("id"), in)
		if err != nil {
			return err
		}
		httpx.JSON(w, http.StatusCreated, map[string]any{"ticket": t, "reply": rep})
		return nil
	}
}

func (h ticketHandlers) myStatus(w http.ResponseWriter, r *http.Request) error {
	if err := h.Helpdesk.Visible(r.Context(), customerActor(r), r.PathValue("id")); err != nil {
		return err
	}
	var in struct {
		Status helpdesk.Status `json:"status"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	t, err := h.Helpdesk.Change(r.Context(), customerActor(r), r.PathValue("id"), helpdesk.Changes{Status: &in.Status})
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, t)
	return nil
}

func (h ticketHandlers) change(w http.ResponseWriter, r *http.Request) error {
	var in helpdesk.Changes
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	t, err := h.Helpdesk.Change(r.Context(), actor(r), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	h.record(r, "ticket.change", "ticket", t.ID, nil, in)
	httpx.JSON(w, http.StatusOK, t)
	return nil
}

func (h ticketHandlers) merge(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Into string `json:"into"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	t, err := h.Helpdesk.Merge(r.Context(), actor(r), r.PathValue("id"), in.Into)
	if err != nil {
		return err
	}
	h.record(r, "ticket.merge", "ticket", r.PathValue("id"), nil, in)
	httpx.JSON(w, http.StatusOK, t)
	return nil
}

// file serves an attachment as a download of its checked type, never
// rendered inline: a file that claims to be an image but holds HTML is
// not run in our origin.
func (h ticketHandlers) file(who func(*http.Request) helpdesk.Actor) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, b, err := h.Helpdesk.File(r.Context(), who(r), r.PathValue("id"), r.PathValue("file"))
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", f.Type)
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; sandbox")
		_, _ = w.Write(b)
		return nil
	}
}

// departments are what a customer may choose from: no addresses, no staff.
func (h ticketHandlers) departments(w http.ResponseWriter, r *http.Request) error {
	set, err := h.Helpdesk.Settings(r.Context())
	if err != nil {
		return err
	}
	type dept struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	out := []dept{}
	for _, d := range set.Departments {
		if !d.Hidden {
			out = append(out, dept{d.ID, d.Name})
		}
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"departments": out})
	return nil
}

func (h ticketHandlers) settings(w http.ResponseWriter, r *http.Request) error {
	set, err := h.Helpdesk.Settings(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, set)
	return nil
}

func (h ticketHandlers) saveSettings(w http.ResponseWriter, r *http.Request) error {
	var in helpdesk.Settings
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	before, _ := h.Helpdesk.Settings(r.Context())
	set, err := h.Helpdesk.SaveSettings(r.Context(), in)
	if err != nil {
		return err
	}
	h.record(r, "helpdesk.settings", "helpdesk", "settings", before, set)
	httpx.JSON(w, http.StatusOK, set)
	return nil
}
