package handlers

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"unicode"
	"unicode/utf8"

	"switchboard/models"
)

// Every text field from outside is checked here, once, at the door: a NUL
// or a terminal escape in a job name reached the pages and the streams
// before. Tab, newline and carriage return stay allowed (prompts and
// bodies have lines).

// badRune is the first character no text field may hold, if any.
func badRune(s string) (rune, bool) {
	for _, r := range s {
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r') {
			return r, true
		}
	}
	return 0, false
}

func textError(field string, r rune) error {
	if r == utf8.RuneError {
		return models.Invalid(field, "Field %q is not valid UTF-8.", field)
	}
	return models.Invalid(field, "Field %q contains a control character (%U); only tab and newline are allowed.", field, r)
}

// checkJSONText walks a decoded JSON body and refuses the first string,
// key or value, that holds invalid UTF-8 or a control character. raw must
// be valid UTF-8 already: json.Unmarshal would replace bad bytes silently.
func checkJSONText(raw []byte) error {
	if !utf8.Valid(raw) {
		return models.Invalid("body", "Request body is not valid UTF-8.")
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil // the caller reports a malformed body
	}
	return walkText("", v)
}

func walkText(path string, v any) error {
	switch v := v.(type) {
	case string:
		if r, bad := badRune(v); bad {
			return textError(path, r)
		}
	case []any:
		for i, e := range v {
			if err := walkText(path+"["+strconv.Itoa(i)+"]", e); err != nil {
				return err
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys) // the same body always names the same field
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if r, bad := badRune(k); bad {
				return textError(p, r)
			}
			if err := walkText(p, v[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkFormText refuses a form or query value holding invalid UTF-8 or a
// control character.
func checkFormText(vs url.Values) error {
	keys := make([]string, 0, len(vs))
	for k := range vs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if r, bad := badRune(k); bad {
			return textError(fmt.Sprintf("%q", k), r)
		}
		for _, v := range vs[k] {
			if r, bad := badRune(v); bad {
				return textError(k, r)
			}
		}
	}
	return nil
}
