// Package conduit is a client for Phabricator's and Phorge's Conduit API, written for the way the
// real servers behave rather than the way their documentation reads.
//
// # Calling convention
//
// Every method is POST {base}/api/<method> with a form body: params=<JSON object> (the API
// token inside it as "__conduit__": {"token": ...}), output=json and __conduit__=1, which is
// what arcanist sends. JSON bodies are refused by the server ("Use form-encoded data"), and the
// PHP-style form encoding is not strictly typed, so neither is used. The answer is always HTTP
// 200 with {"result", "error_code", "error_info"}; a non-null error_code is an *Error naming
// the method and the code.
//
// # Failures
//
// *Error implements retry.Classifier, so retry.Transient and retry.Permanent classify it like
// every other API error: dropped connections, timeouts, HTTP 5xx/429 and ERR-CONDUIT-CORE
// answers that describe an overloaded or unreachable database are transient; invalid input,
// authentication, policy refusals ("You do not have permission to edit this object") and the
// rest are permanent. Reads are retried within the call (retry.Policy); edits only when the
// request cannot have reached the server, because repeating a maniphest.edit repeats its
// comment.
//
// # Lenient decoding
//
// Phabricator is PHP: an empty map is sent as [] ("boards": [], "fromColumnPHIDs": []), numbers
// may arrive as strings ("taskID": "10", "dateCreated": "1461852396"), and points as a number,
// a numeric string or null. The types in lenient.go accept every shape the servers send, and
// the fuzz targets hold the decoders to never panicking on anything else.
//
// # Paging
//
// *.search methods are read page by page with the cursor's "after" at the largest page size
// the server allows (100), until the cursor says there is no next page.
package conduit
