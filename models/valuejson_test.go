package models

import (
	"encoding/json"
	"time"
)

// valuesOf reads arguments written as api.md's JSON, as the API's handlers
// do: a JSON string is text, anything else bare.
func valuesOf(args map[string]json.RawMessage) map[string]Value {
	out := map[string]Value{}
	for k, raw := range args {
		var s string
		if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
			out[k] = Value{Text: s}
		} else {
			out[k] = Value{Text: string(raw), Bare: true}
		}
	}
	return out
}

// parseScheduleJSON validates a schedule written as api.md's JSON.
func parseScheduleJSON(trigger string, args map[string]json.RawMessage, loc *time.Location, now time.Time) (Schedule, error) {
	return ScheduleInput{Trigger: trigger, Args: valuesOf(args)}.Validate(loc, now)
}
