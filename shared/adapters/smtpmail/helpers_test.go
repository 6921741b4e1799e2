package smtpmail_test

import (
	"bytes"
	"encoding/base64"
)

func decodeBase64(b []byte) ([]byte, error) {
	return base64.StdEncoding.DecodeString(string(bytes.ReplaceAll(b, []byte("\r\n"), nil)))
}
