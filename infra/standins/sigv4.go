package standins

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"
)

// The AWS credentials the SSM and CloudFormation stand-ins accept: the local stack's functions
// and `rituals setup/doctor --local` sign with them.
const (
	AWSAccessKeyID     = "local"
	AWSSecretAccessKey = "local"
)

// awsError is an AWS API refusal: its code (the exception's name) and message.
type awsError struct {
	status  int
	code    string
	message string
}

// checkSigV4 verifies a request's Signature Version 4 the way AWS does: the Authorization
// header's credential scope names service, the access key is known, the time is within 15
// minutes of the wall clock, and the signature over the canonical request (the signed headers
// as listed, the body's SHA-256) matches. AWS signs with the wall clock, so this checks against
// time.Now, not the stand-ins' (possibly simulated) clock.
func checkSigV4(r *http.Request, body []byte, service string) *awsError {
	const algo = "AWS4-HMAC-SHA256"
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return &awsError{http.StatusBadRequest, "MissingAuthenticationTokenException", "Missing Authentication Token"}
	}
	if !strings.HasPrefix(auth, algo+" ") {
		return &awsError{http.StatusBadRequest, "IncompleteSignatureException", "Authorization header requires the AWS4-HMAC-SHA256 algorithm"}
	}
	fields := map[string]string{}
	for _, part := range strings.Split(strings.TrimPrefix(auth, algo+" "), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		fields[k] = v
	}
	cred, signedHeaders, signature := fields["Credential"], fields["SignedHeaders"], fields["Signature"]
	scope := strings.Split(cred, "/")
	if len(scope) != 5 || signedHeaders == "" || signature == "" || scope[4] != "aws4_request" {
		return &awsError{http.StatusBadRequest, "IncompleteSignatureException", "Authorization header requires Credential, SignedHeaders and Signature"}
	}
	key, date, region, svc := scope[0], scope[1], scope[2], scope[3]
	if svc != service {
		return &awsError{http.StatusBadRequest, "InvalidSignatureException", fmt.Sprintf("Credential should be scoped to correct service: '%s'.", service)}
	}
	if key != AWSAccessKeyID {
		return &awsError{http.StatusBadRequest, "UnrecognizedClientException", "The security token included in the request is invalid."}
	}
	amzDate := r.Header.Get("X-Amz-Date")
	at, err := time.Parse("20060102T150405Z", amzDate)
	if err != nil || !strings.HasPrefix(amzDate, date) {
		return &awsError{http.StatusBadRequest, "IncompleteSignatureException", "X-Amz-Date must be the signing time (YYYYMMDDTHHMMSSZ) on the credential's date"}
	}
	if d := time.Since(at); d > 15*time.Minute || d < -15*time.Minute {
		return &awsError{http.StatusBadRequest, "InvalidSignatureException", "Signature expired: " + amzDate + " is more than 15 minutes from the current time"}
	}
	names := strings.Split(signedHeaders, ";")
	if !slices.Contains(names, "host") {
		return &awsError{http.StatusBadRequest, "InvalidSignatureException", "'Host' must be a signed header"}
	}
	var canon strings.Builder
	for _, name := range names {
		var value string
		switch name {
		case "host":
			value = r.Host
		case "content-length":
			value = fmt.Sprint(len(body))
		default:
			vals := r.Header.Values(name)
			for i := range vals {
				vals[i] = strings.Join(strings.Fields(vals[i]), " ")
			}
			value = strings.Join(vals, ",")
		}
		canon.WriteString(name + ":" + value + "\n")
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		sum := sha256.Sum256(body)
		payload = hex.EncodeToString(sum[:])
	}
	canonical := strings.Join([]string{r.Method, canonicalPath(r.URL), canonicalQuery(r.URL.Query()), canon.String(), signedHeaders, payload}, "\n")
	crSum := sha256.Sum256([]byte(canonical))
	toSign := strings.Join([]string{algo, amzDate, strings.Join(scope[1:], "/"), hex.EncodeToString(crSum[:])}, "\n")
	k := hmacSHA256([]byte("AWS4"+AWSSecretAccessKey), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, svc)
	k = hmacSHA256(k, "aws4_request")
	want := hex.EncodeToString(hmacSHA256(k, toSign))
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return &awsError{http.StatusForbidden, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."}
	}
	return nil
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func canonicalPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		return "/"
	}
	return p
}

func canonicalQuery(q url.Values) string {
	var parts []string
	for k, vs := range q {
		for _, v := range vs {
			parts = append(parts, awsEscape(k)+"="+awsEscape(v))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "&")
}

func awsEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
