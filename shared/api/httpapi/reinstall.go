package httpapi

import (
	"net/http"
	"strings"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/platform/apperr"
	"github.com/ezscale/platform/shared/platform/text"
)

// myReinstall wipes a customer's server and installs the chosen system
// afresh, after the customer types their account password again.
func (h serviceHandlers) myReinstall(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	me, id := principal(r).User.ID, r.PathValue("id")
	if _, err := e.Service(r.Context(), me, id); err != nil {
		return err
	}
	var in struct {
		Password string `json:"password"`
		OS       string `json:"os"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if in.Password == "" {
		return apperr.Validation(map[string]string{"password": "is required"})
	}
	if err := h.Sessions.Reauthenticate(r.Context(), me, in.Password, "service reinstall "+id, meta(r)); err != nil {
		return err
	}
	s, err := e.Reinstall(r.Context(), me, id, in.OS, me)
	if err != nil {
		return err
	}
	h.record(r, "service.reinstall", "service", id, nil, map[string]string{"os": s.OS})
	httpx.JSON(w, http.StatusAccepted, describe(e, s))
	return nil
}

// adminReinstall is the same for staff, with the reason they give.
func (h serviceHandlers) adminReinstall(w http.ResponseWriter, r *http.Request) error {
	e, err := h.engine()
	if err != nil {
		return err
	}
	var in struct {
		OS     string `json:"os"`
		Reason string `json:"reason"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	if why := text.MultilineProblem(in.Reason, 3, 500); why != "" {
		return apperr.Validation(map[string]string{"reason": why})
	}
	id, actor := r.PathValue("id"), principal(r).User.ID
	s, err := e.Reinstall(r.Context(), "", id, in.OS, actor)
	if err != nil {
		return err
	}
	h.record(r, "service.reinstall", "service", id, nil, map[string]string{"os": s.OS, "reason": strings.TrimSpace(in.Reason)})
	httpx.JSON(w, http.StatusAccepted, describe(e, s))
	return nil
}
