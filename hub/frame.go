package hub

import (
	"bytes"
	"regexp"
	"strconv"
)

// MaxPayload is the largest data an event may carry; larger events are
// dropped rather than sent.
const MaxPayload = 64 << 10

var eventName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// ValidName reports whether name is safe as an SSE event name.
func ValidName(name string) bool { return eventName.MatchString(name) }

// Frame renders one SSE message. Every line of data becomes its own "data:"
// line (CR, LF and CRLF all end a line in SSE), so no payload can break the
// framing. id 0 leaves the id out.
func Frame(id uint64, name string, data []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(data) + 64)
	if id > 0 {
		b.WriteString("id: ")
		b.WriteString(strconv.FormatUint(id, 10))
		b.WriteByte('\n')
	}
	b.WriteString("event: ")
	b.WriteString(name)
	b.WriteByte('\n')
	for {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			break
		}
		b.WriteString("data: ")
		b.Write(data[:i])
		b.WriteByte('\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	b.WriteString("data: ")
	b.Write(data)
	b.WriteString("\n\n")
	return b.Bytes()
}
