package handlers

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"

	"switchboard/models"
)

// The API's JSON bodies decoded into the models' inputs; forms.go does the
// same for the console's forms, so both meet the rules of the inputs'
// Validate.

// valueOf is a JSON value as models reads a field: a string's text, any
// other value's literal; nil when absent.
func valueOf(raw json.RawMessage) *models.Value {
	raw = bytes.TrimSpace(raw)
	if raw == nil {
		return nil
	}
	var s string
	if raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return models.Text(s)
	}
	return models.Bare(string(raw))
}

// isNull says whether a body's value is JSON null, which a new job's body
// may give for any field it leaves out.
func isNull(raw json.RawMessage) bool { return bytes.Equal(bytes.TrimSpace(raw), []byte("null")) }

// jobFields are the keys of a new job's body that are not its trigger's
// arguments.
var jobFields = [...]string{"id", "name", "description", "kind", "config", "enabled", "market_hours_only", "timeout_seconds", "trigger", "version"}

// decodeJobInput reads the body of POST /api/scheduler/jobs: keys it does
// not know are the trigger's arguments, as api.md lays them out.
func decodeJobInput(body map[string]json.RawMessage) models.JobInput {
	given := func(k string) *models.Value {
		if raw, ok := body[k]; ok && !isNull(raw) {
			return valueOf(raw)
		}
		return nil
	}
	in := models.JobInput{ID: given("id"), Name: given("name"), Description: given("description"), Kind: given("kind"),
		Enabled: given("enabled"), MarketHoursOnly: given("market_hours_only"), TimeoutSeconds: given("timeout_seconds")}
	if raw, ok := body["config"]; ok && !isNull(raw) && in.Kind != nil && !in.Kind.Bare {
		in.Config = decodeConfig(in.Kind.Text, raw)
	}
	in.Schedule = scheduleInputOf(body, jobFields[:])
	return in
}

// scheduleInputOf reads a schedule from a body: its "trigger" (text, or it
// counts as missing) and every key but the skipped ones as an argument.
func scheduleInputOf(body map[string]json.RawMessage, skip []string) models.ScheduleInput {
	in := models.ScheduleInput{Args: map[string]models.Value{}}
	if t := valueOf(body["trigger"]); t != nil && !t.Bare {
		in.Trigger = t.Text
	}
	for k, raw := range body {
		if !slices.Contains(skip, k) && k != "trigger" {
			in.Args[k] = *valueOf(raw)
		}
	}
	return in
}

// editableFields are the keys of PUT /api/scheduler/jobs/{id}.
const editableFields = "name, description, config, market_hours_only, timeout_seconds"

// decodeJobEdit reads the body of PUT /api/scheduler/jobs/{id} for a job of
// the given kind; a key the API does not edit is refused.
func decodeJobEdit(kind string, body map[string]json.RawMessage) (models.JobEditInput, error) {
	var in models.JobEditInput
	for _, k := range slices.Sorted(maps.Keys(body)) {
		v := valueOf(body[k])
		switch k {
		case "name":
			in.Name = v
		case "description":
			in.Description = v
		case "config":
			in.Config = decodeConfig(kind, body[k])
		case "market_hours_only":
			in.MarketHoursOnly = v
		case "timeout_seconds":
			in.TimeoutSeconds = v
		case "version":
			in.Version = v
		case "trigger":
			return in, models.Invalid(k, `Field "trigger" cannot be edited here: change the schedule with PUT /api/scheduler/jobs/{id}/schedule.`)
		default:
			return in, models.Invalid(k, "Unknown field %q. Editable: %s.", k, editableFields)
		}
	}
	return in, nil
}

// decodeConfig reads a job's settings for its kind; what cannot be read
// (not an object, a key the kind does not have) Validate reports in its
// turn.
func decodeConfig(kind string, raw json.RawMessage) *models.JobConfig {
	c := &models.JobConfig{}
	if t := bytes.TrimSpace(raw); len(t) == 0 || t[0] != '{' {
		c.Unreadable = models.Invalid("config", models.ConfigNotObject)
		return c
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	switch kind {
	case models.KindPrompt:
		c.Prompt = &models.PromptConfig{}
		if dec.Decode(c.Prompt) != nil {
			c.Unreadable = models.Invalid("config", `Invalid "config" for a prompt job: expected {"prompt": "<text>", "model": "<optional model>"}.`)
		}
	case models.KindWebhook:
		c.Webhook = &models.WebhookConfig{}
		if dec.Decode(c.Webhook) != nil {
			c.Unreadable = models.Invalid("config", `Invalid "config" for a webhook job: expected {"url", "method", "headers", "body"}.`)
		}
	}
	return c
}
