package models

import (
	"regexp"
	"time"
)

var jobIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ValidateJobID checks a job id against ^[A-Za-z0-9_-]{1,64}$.
func ValidateJobID(id string) error {
	if jobIDPattern.MatchString(id) {
		return nil
	}
	return Invalid("job_id", "Invalid job_id '%s'. Must be 1–64 characters: letters, digits, underscores, or hyphens.", id)
}

// JobInput is a request to create a stored job as someone wrote it; a
// nil field was not given. The API decodes its JSON into one, the console
// its form; Validate applies the rules to both.
type JobInput struct {
	ID, Name, Description, Kind *Value
	Config                      *JobConfig
	Enabled, MarketHoursOnly    *Value
	TimeoutSeconds              *Value
	Schedule                    ScheduleInput
}

// JobConfig is a job's settings as given, the part of the job's kind
// filled. Given for a kind with no settings (builtin), both are nil.
type JobConfig struct {
	Prompt  *PromptConfig
	Webhook *WebhookConfig
	// Unreadable says why the settings could not be read (not an object,
	// a key the kind does not have); Validate reports it in its turn.
	Unreadable error
}

// JobSpec is a validated request to create a stored job.
type JobSpec struct {
	Job      Job
	Schedule Schedule
}

// JobEditInput is an edit as someone wrote it; nil fields stay as they are.
type JobEditInput struct {
	Name, Description       *Value
	Config                  *JobConfig
	MarketHoursOnly         *Value
	TimeoutSeconds, Version *Value
}

// JobEdit is a validated edit; nil fields stay as they are.
type JobEdit struct {
	Name            *string
	Description     *string
	Config          *string
	MarketHoursOnly *bool
	TimeoutSeconds  *int
	Version         *int64
}

// ConfigNotObject is the message for a config that is not an object.
const ConfigNotObject = `Field "config" must be a JSON object.`

// ParseVersion reads the version a change was made against; nil when
// none was given.
func ParseVersion(v *Value) (*int64, error) {
	if v == nil || (v.Bare && v.Text == "null") {
		return nil, nil
	}
	n, ok := v.integer()
	if !ok || n < 1 {
		return nil, Invalid("version", `Invalid "version": must be a positive integer.`)
	}
	version := int64(n)
	return &version, nil
}

// Validate checks a new job in api.md's order and returns it normalised.
func (in JobInput) Validate(loc *time.Location, now time.Time) (JobSpec, error) {
	var spec JobSpec
	j := &spec.Job
	var err error
	if in.ID == nil {
		return spec, Invalid("id", `Field "id" is required.`)
	}
	if in.ID.Bare {
		return spec, Invalid("id", `Field "id" must be a string.`)
	}
	j.ID = in.ID.Text
	if err := ValidateJobID(j.ID); err != nil {
		return spec, err
	}
	if in.Name == nil {
		return spec, Invalid("name", `Field "name" is required.`)
	}
	if j.Name, err = text(in.Name, "name", 1, 200); err != nil {
		return spec, err
	}
	if in.Description != nil {
		if j.Description, err = text(in.Description, "description", 0, 2000); err != nil {
			return spec, err
		}
	}
	if in.Kind == nil {
		return spec, Invalid("kind", `Field "kind" is required: prompt or webhook.`)
	}
	if j.Kind = in.Kind.Text; in.Kind.Bare || (j.Kind != KindPrompt && j.Kind != KindWebhook) {
		if j.Kind == KindBuiltin && !in.Kind.Bare {
			return spec, Invalid("kind", `Jobs of kind "builtin" are registered in code and cannot be created here.`)
		}
		return spec, Invalid("kind", `Invalid "kind": must be prompt or webhook.`)
	}
	if j.Config, err = in.Config.validate(j.Kind); err != nil {
		return spec, err
	}
	j.Enabled = true
	if in.Enabled != nil {
		if j.Enabled, err = flagField(in.Enabled, "enabled"); err != nil {
			return spec, err
		}
	}
	if in.MarketHoursOnly != nil {
		if j.MarketHoursOnly, err = flagField(in.MarketHoursOnly, "market_hours_only"); err != nil {
			return spec, err
		}
	}
	if in.TimeoutSeconds != nil {
		if j.TimeoutSeconds, err = parseTimeout(*in.TimeoutSeconds); err != nil {
			return spec, err
		}
	}
	if spec.Schedule, err = in.Schedule.Validate(loc, now); err != nil {
		return spec, err
	}
	j.Trigger, j.TriggerArgs = spec.Schedule.Trigger, spec.Schedule.ArgsJSON()
	return spec, nil
}

// Validate checks an edit of a job of the given kind.
func (in JobEditInput) Validate(kind string) (JobEdit, error) {
	var e JobEdit
	if in.Config != nil {
		if kind == KindBuiltin {
			return e, Invalid("config", "Jobs registered in code have no config to edit.")
		}
		cfg, err := in.Config.validate(kind)
		if err != nil {
			return e, err
		}
		e.Config = &cfg
	}
	for _, f := range []struct {
		v        *Value
		name     string
		min, max int
		dst      **string
	}{{in.Description, "description", 0, 2000, &e.Description}, {in.Name, "name", 1, 200, &e.Name}} {
		if f.v == nil {
			continue
		}
		s, err := text(f.v, f.name, f.min, f.max)
		if err != nil {
			return e, err
		}
		*f.dst = &s
	}
	if in.MarketHoursOnly != nil {
		b, err := flagField(in.MarketHoursOnly, "market_hours_only")
		if err != nil {
			return e, err
		}
		e.MarketHoursOnly = &b
	}
	if in.TimeoutSeconds != nil {
		n, err := parseTimeout(*in.TimeoutSeconds)
		if err != nil {
			return e, err
		}
		e.TimeoutSeconds = &n
	}
	var err error
	e.Version, err = ParseVersion(in.Version)
	return e, err
}

func flagField(v *Value, field string) (bool, error) {
	b, ok := v.flag()
	if !ok {
		return false, Invalid(field, "Field %q must be true or false.", field)
	}
	return b, nil
}

func parseTimeout(v Value) (int, error) {
	n, ok := v.integer()
	if !ok || n < 1 || n > 86400 {
		return 0, Invalid("timeout_seconds", `Invalid "timeout_seconds": must be an integer from 1 to 86400.`)
	}
	return n, nil
}
