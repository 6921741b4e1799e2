package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/ezscale/platform/shared/api/httpx"
	"github.com/ezscale/platform/shared/domain/passkeys"
	"github.com/ezscale/platform/shared/platform/apperr"
)

type passkeyHandlers struct{ Deps }

var errNoPasskeys = apperr.New(apperr.Unavailable, "passkeys are not configured")

func (h passkeyHandlers) beginRegistration(w http.ResponseWriter, r *http.Request) error {
	if h.Passkeys == nil {
		return errNoPasskeys
	}
	c, err := h.Passkeys.BeginRegistration(r.Context(), principal(r).User.ID)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, c)
	return nil
}

type finishRegistration struct {
	CeremonyID string          `json:"ceremony_id"`
	Name       string          `json:"name"`
	Credential json.RawMessage `json:"credential"`
}

func (h passkeyHandlers) finishRegistration(w http.ResponseWriter, r *http.Request) error {
	if h.Passkeys == nil {
		return errNoPasskeys
	}
	var in finishRegistration
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	p, err := h.Passkeys.FinishRegistration(r.Context(), principal(r).User.ID, in.CeremonyID, in.Name, in.Credential, meta(r))
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, p)
	return nil
}

func (h passkeyHandlers) list(w http.ResponseWriter, r *http.Request) error {
	if h.Passkeys == nil {
		return errNoPasskeys
	}
	list, err := h.Passkeys.List(r.Context(), principal(r).User.ID)
	if err != nil {
		return err
	}
	if list == nil {
		list = []passkeys.Passkey{}
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"passkeys": list})
	return nil
}

func (h passkeyHandlers) delete(w http.ResponseWriter, r *http.Request) error {
	if h.Passkeys == nil {
		return errNoPasskeys
	}
	if err := h.Passkeys.Delete(r.Context(), principal(r).User.ID, r.PathValue("id"), meta(r)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h passkeyHandlers) beginLogin(w http.ResponseWriter, r *http.Request) error {
	if h.Passkeys == nil {
		return errNoPasskeys
	}
	c, err := h.Passkeys.BeginLogin(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, c)
	return nil
}

func (h passkeyHandlers) finishLogin(w http.ResponseWriter, r *http.Request) error {
	if h.Passkeys == nil {
		return errNoPasskeys
	}
	var in struct {
		CeremonyID string          `json:"ceremony_id"`
		Credential json.RawMessage `json:"credential"`
	}
	if err := httpx.Decode(r, &in); err != nil {
		return err
	}
	res, err := h.Passkeys.FinishLogin(r.Context(), in.CeremonyID, in.Credential, meta(r))
	if err != nil {
		return err
	}
	accountHandlers(h).signedIn(w, res)
	return nil
}
