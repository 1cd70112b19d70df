package handlers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"switchboard/ai"
	"switchboard/models"
	"switchboard/views"
)

// commonZones fill the timezone field's suggestions; any IANA name is
// accepted.
func commonZones() []string {
	return []string{"UTC", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
		"America/Sao_Paulo", "Europe/London", "Europe/Paris", "Europe/Berlin", "Asia/Kolkata", "Asia/Singapore",
		"Asia/Tokyo", "Australia/Sydney"}
}

// settingLabel is the settings form's label for a known setting.
func settingLabel(key string) string {
	switch key {
	case models.SettingTimezone:
		return "Scheduler timezone"
	case models.SettingRetentionDays:
		return "Keep run history (days)"
	}
	return ""
}

func (h *Handler) settingsView(ctx context.Context, r *http.Request, form map[string]string) (views.SettingsView, error) {
	stored, err := h.store.ListSettings(ctx)
	if err != nil {
		return views.SettingsView{}, err
	}
	ps, err := h.providerList(ctx)
	if err != nil {
		return views.SettingsView{}, err
	}
	write := canWrite(r)
	v := views.SettingsView{CanWrite: write, Zones: commonZones(), Providers: providerItems(ps), Active: activeProviderForm(ps, write)}
	v.Instances, _ = h.clusterViews(ctx)
	for _, k := range models.KnownSettings() {
		f := views.SettingField{Key: k.Key, Label: settingLabel(k.Key), Help: k.Description, Default: k.Default, Value: k.Default, Kind: "number"}
		if k.Key == models.SettingTimezone {
			f.Kind = "timezone"
		}
		if st, ok := stored[k.Key]; ok {
			f.Value = st.Value
		}
		f.Stored, f.Loaded = f.Value, f.Value
		if typed, ok := form[k.Key]; ok {
			f.Value = typed
		}
		if loaded, ok := form[loadedPrefix+k.Key]; ok {
			f.Loaded = loaded
		}
		v.Fields = append(v.Fields, f)
	}
	return v, nil
}

func (h *Handler) handleSettingsPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.settingsView(r.Context(), r, nil)
	if err != nil {
		return err
	}
	h.renderPage(w, r, http.StatusOK, "Settings", "settings", "/events?view=settings", views.SettingsPage(v))
	return nil
}

// handlePageSettingsSave validates every field first and writes only when
// all are valid, so a form is saved whole or not at all.
func (h *Handler) handlePageSettingsSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	form := map[string]string{}
	errs := map[string]string{}
	for _, k := range models.KnownSettings() {
		if !r.PostForm.Has(k.Key) {
			continue
		}
		val := strings.TrimSpace(r.PostForm.Get(k.Key))
		form[k.Key] = val
		if r.PostForm.Has(loadedPrefix + k.Key) {
			form[loadedPrefix+k.Key] = r.PostForm.Get(loadedPrefix + k.Key)
		}
		if _, err := models.ValidateSetting(k.Key, val); err != nil {
			if ve, ok := asValidation(err); ok {
				errs[k.Key] = ve.Message
				continue
			}
			return err
		}
	}
	if len(errs) == 0 {
		if conflict, err := h.settingsConflict(w, r, form); conflict || err != nil {
			return err
		}
		for _, k := range models.KnownSettings() {
			val, ok := form[k.Key]
			if !ok {
				continue
			}
			if _, err := h.setSetting(r.Context(), k.Key, val); err != nil {
				return err
			}
		}
	}
	if !isHTMX(r) && len(errs) == 0 {
		http.Redirect(w, r, "/settings", http.StatusSeeOther)
		return nil
	}
	v, err := h.settingsView(r.Context(), r, form)
	if err != nil {
		return err
	}
	v.Errors = errs
	if len(errs) > 0 {
		return h.renderFragment(w, http.StatusUnprocessableEntity, views.SettingsForm(v))
	}
	v.Saved = true
	return h.renderFragment(w, http.StatusOK, views.SettingsForm(v), views.Toast("ok", "Settings saved."))
}

// loadedPrefix names a settings form's hidden fields holding the values
// it was loaded at.
const loadedPrefix = "loaded."

// settingsConflict answers 409 when a setting the form holds has changed
// since the form was loaded: saving it would undo another admin's change
// unseen. The answer's form is loaded at the stored values (saving again
// replaces them), keeps what was typed and takes the new value into the
// fields left as they were. A form without loaded values (an old page, a
// script) is not checked.
func (h *Handler) settingsConflict(w http.ResponseWriter, r *http.Request, form map[string]string) (bool, error) {
	stored, err := h.store.ListSettings(r.Context())
	if err != nil {
		return false, err
	}
	var changed []string
	next := map[string]string{}
	for _, k := range models.KnownSettings() {
		typed, ok := form[k.Key]
		if !ok {
			continue
		}
		now := stored[k.Key].Value
		next[k.Key] = typed
		loaded, checked := form[loadedPrefix+k.Key]
		if !checked || loaded == now {
			continue
		}
		changed = append(changed, fmt.Sprintf("%s is now %s", settingLabel(k.Key), now))
		if typed == loaded {
			next[k.Key] = now
		}
	}
	if len(changed) == 0 {
		return false, nil
	}
	v, err := h.settingsView(r.Context(), r, next)
	if err != nil {
		return true, err
	}
	for i := range v.Fields {
		v.Fields[i].Changed = v.Fields[i].Loaded != form[loadedPrefix+v.Fields[i].Key] && form[loadedPrefix+v.Fields[i].Key] != ""
	}
	v.Conflict = "Not saved: the settings were changed elsewhere while you edited (" + strings.Join(changed, "; ") + "). Check the form and save again."
	return true, h.renderFragment(w, http.StatusConflict, views.SettingsForm(v))
}

// handlePageActiveProvider switches the active provider from the settings
// form.
func (h *Handler) handlePageActiveProvider(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	return h.activateByName(w, r, r.PostForm.Get("provider"))
}

func (h *Handler) handlePageProviderActivate(w http.ResponseWriter, r *http.Request) error {
	return h.activateByName(w, r, r.PathValue("name"))
}

// activateByName answers with the toast only: every open page, this one
// included, gets the new state from the live stream.
func (h *Handler) activateByName(w http.ResponseWriter, r *http.Request, name string) error {
	p, err := h.configuredProvider(r.Context(), name)
	if err != nil {
		return err
	}
	if err := h.store.ActivateProvider(r.Context(), p.ID); err != nil {
		return err
	}
	meta, _ := ai.Lookup(name)
	toast := fmt.Sprintf("%s is now the active provider.", meta.DisplayName)
	if isHTMX(r) && r.Header.Get("HX-Target") == "active-provider-form" {
		ps, err := h.providerList(r.Context())
		if err != nil {
			return err
		}
		return h.renderFragment(w, http.StatusOK, views.ActiveProvider(activeProviderForm(ps, true)), views.Toast("ok", toast))
	}
	return h.providerDone(w, r, "/settings", toast)
}

func (h *Handler) configuredProvider(ctx context.Context, name string) (models.AIProvider, error) {
	if _, ok := ai.Lookup(name); !ok {
		return models.AIProvider{}, models.Invalid("provider", "Choose a supported provider.")
	}
	p, err := h.store.ProviderByName(ctx, name)
	if errors.Is(err, models.ErrNotFound) {
		return p, &httpError{http.StatusNotFound, "NOT_FOUND", fmt.Sprintf("Provider '%s' is not configured.", name), nil}
	}
	return p, err
}

func (h *Handler) providerDone(w http.ResponseWriter, r *http.Request, back, toast string) error {
	if !isHTMX(r) {
		redirectBack(w, r, back)
		return nil
	}
	return h.renderFragment(w, http.StatusOK, views.Toast("ok", toast))
}

func (h *Handler) handleProvidersPage(w http.ResponseWriter, r *http.Request) error {
	ps, err := h.providerList(r.Context())
	if err != nil {
		return err
	}
	h.renderPage(w, r, http.StatusOK, "AI providers", "providers", "/events?view=providers", views.ProvidersPage(providerCards(ps, canWrite(r))))
	return nil
}

// providerCard is one provider's card as it stands.
func (h *Handler) providerCard(ctx context.Context, name string, write bool) (views.ProviderCard, error) {
	ps, err := h.providerList(ctx)
	if err != nil {
		return views.ProviderCard{}, err
	}
	for _, c := range providerCards(ps, write) {
		if c.Name == name {
			return c, nil
		}
	}
	return views.ProviderCard{}, models.Invalid("provider", "Unsupported provider '%s'.", name)
}

// handlePageProviderSave adds or updates a provider. The key is
// write-only: an empty field keeps the stored key.
func (h *Handler) handlePageProviderSave(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if err := parseForm(w, r); err != nil {
		return err
	}
	card, err := h.providerCard(r.Context(), name, true)
	if err != nil {
		return err
	}
	model, baseURL := r.PostForm.Get("model"), r.PostForm.Get("base_url")
	f := providerFields{provider: &name, model: &model, baseURL: &baseURL}
	if k := strings.TrimSpace(r.PostForm.Get("api_key")); k != "" {
		f.apiKey = &k // an empty field keeps the stored key
	}
	in, err := f.validate()
	// Saving a key from the console does not switch the provider prompt
	// jobs use (the Activate button does), unless none is active.
	in.SetActive, in.ActivateIfNone = false, true
	wasActive := card.Active
	var saved models.AIProvider
	if err == nil {
		saved, err = h.store.UpsertProvider(r.Context(), in)
	}
	card.Model, card.BaseURL = r.PostForm.Get("model"), r.PostForm.Get("base_url")
	if err != nil {
		if card.Errors, err = fieldErrors(err, nil); err != nil {
			return err
		}
		return h.renderFragment(w, http.StatusUnprocessableEntity, views.ProviderForm(card))
	}
	if !isHTMX(r) {
		http.Redirect(w, r, "/providers", http.StatusSeeOther)
		return nil
	}
	if card, err = h.providerCard(r.Context(), name, true); err != nil {
		return err
	}
	card.Saved = true
	toast := card.DisplayName + " saved."
	if saved.IsActive && !wasActive {
		toast = card.DisplayName + " saved and made active: no provider was active."
	}
	return h.renderFragment(w, http.StatusOK, views.ProviderForm(card), views.Toast("ok", toast))
}

func (h *Handler) handlePageProviderDelete(w http.ResponseWriter, r *http.Request) error {
	p, err := h.configuredProvider(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	// The console hands over to another configured provider rather than
	// leave prompt jobs without one; the API's delete leaves none active,
	// as api.md promises.
	next, err := h.store.DeleteProviderHandingOver(r.Context(), p.ID)
	if err != nil {
		return err
	}
	meta, _ := ai.Lookup(p.Provider)
	toast := meta.DisplayName + " deleted."
	switch {
	case next != "":
		nm, _ := ai.Lookup(next)
		toast += " " + nm.DisplayName + " is now the active provider."
	case p.IsActive:
		toast += " No provider is active now: prompt jobs are skipped until one is added."
	}
	if !isHTMX(r) {
		return h.providerDone(w, r, "/providers", toast)
	}
	card, err := h.providerCard(r.Context(), p.Provider, true)
	if err != nil {
		return err
	}
	return h.renderFragment(w, http.StatusOK, views.ProviderFormOOB(card), views.Toast("ok", toast))
}

func (h *Handler) handlePageProviderTest(w http.ResponseWriter, r *http.Request) error {
	target, err := h.storedProvider(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	res := h.testProvider(r.Context(), target)
	text := fmt.Sprintf("Connected: %s answered in %d ms.", res.model, res.latency.Milliseconds())
	if res.err != "" {
		text = "Failed: " + res.err
	}
	return h.renderFragment(w, http.StatusOK, views.ProviderTestResult(res.provider, text, res.err == ""))
}

// providerItems are the providers as the settings page's list shows them.
func providerItems(es []providerEntry) []views.ProviderItem {
	items := make([]views.ProviderItem, len(es))
	for i, e := range es {
		items[i] = views.ProviderItem{Name: e.Name, DisplayName: e.DisplayName, Status: e.status(), Active: e.active()}
		if e.row != nil {
			items[i].KeyMasked, items[i].Model = e.row.MaskedKey(), e.row.Model
		}
	}
	return items
}

// providerCards are the providers page's cards; a card's model
// placeholder is the model runs use when none is saved.
func providerCards(es []providerEntry, canWrite bool) []views.ProviderCard {
	cards := make([]views.ProviderCard, len(es))
	for i, e := range es {
		c := views.ProviderCard{Name: e.Name, DisplayName: e.DisplayName, Status: e.status(), Active: e.active(),
			Models: append([]string{}, e.Models...), DefaultModel: e.DefaultModel, NeedsBaseURL: e.NeedsBaseURL, CanWrite: canWrite}
		if e.row != nil {
			c.Configured, c.KeyMasked, c.Model, c.BaseURL = true, e.row.MaskedKey(), e.row.Model, e.row.BaseURL
		}
		cards[i] = c
	}
	return cards
}

// activeProviderForm is the settings page's switch: the configured
// providers to choose from.
func activeProviderForm(es []providerEntry, canWrite bool) views.ActiveProviderForm {
	f := views.ActiveProviderForm{CanWrite: canWrite}
	for _, it := range providerItems(es) {
		if it.Status != "unconfigured" {
			f.Options = append(f.Options, it)
		}
	}
	return f
}
