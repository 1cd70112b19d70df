package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"switchboard/models"
)

func (h *Handler) handleSettingList(w http.ResponseWriter, r *http.Request) error {
	all, err := h.store.ListSettings(r.Context())
	if err != nil {
		return err
	}
	out := make(map[string]string, len(all))
	for k, s := range all {
		out[k] = s.Value
	}
	writeJSON(w, http.StatusOK, map[string]any{"settings": out})
	return nil
}

func (h *Handler) handleSettingGet(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	if _, err := models.ValidateSetting(key, ""); err != nil {
		var ve *models.ValidationError
		if errors.As(err, &ve) && ve.Field == "key" {
			return err
		}
	}
	all, err := h.store.ListSettings(r.Context())
	if err != nil {
		return err
	}
	s, ok := all[key]
	if !ok {
		return &httpError{http.StatusNotFound, "NOT_FOUND", "Setting '" + key + "' not found.", nil}
	}
	var updated *string
	if !s.UpdatedAt.IsZero() {
		updated = formatTimePtr(&s.UpdatedAt, h.sched.Location())
	}
	writeJSON(w, http.StatusOK, map[string]any{"key": key, "value": s.Value, "updated_at": updated})
	return nil
}

func (h *Handler) handleSettingPut(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	body, err := decodeObject(w, r, false, notObjectMessage)
	if err != nil {
		return err
	}
	var value string
	raw, ok := body["value"]
	if !ok || json.Unmarshal(raw, &value) != nil {
		return models.Invalid("value", `Request body must be {"value": "<string>"}.`)
	}
	for k := range body {
		if k != "value" {
			return models.Invalid(k, "Unknown field %q. Allowed: value.", k)
		}
	}
	if value, err = h.setSetting(r.Context(), key, value); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "key": key, "value": value})
	return nil
}

// setSetting validates and writes a setting, returning its normalised
// value. The timezone is applied to the running scheduler, which owns that
// change; every other setting is a plain transactional write.
func (h *Handler) setSetting(ctx context.Context, key, value string) (string, error) {
	value, err := models.ValidateSetting(key, value)
	if err != nil {
		return "", err
	}
	if key == models.SettingTimezone {
		_, err = h.sched.SetTimezone(ctx, value)
	} else {
		_, err = h.store.SetSetting(ctx, key, value, nil)
	}
	return value, err
}
