package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	"github.com/rituals-dev/rituals/infra/localrun"
)

// The functions act as the GitHub App's installation when the app's id and key are their
// secrets and no token is: the support flow's sections comment goes out with an installation
// token the GitHub stand-in minted after checking the app's JWT, and that token is reused.
func TestFunctionsActAsTheGitHubApp(t *testing.T) {
	t.Parallel()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	secrets := localrun.Secrets(nil)
	delete(secrets, "GITHUB_TOKEN")
	secrets["GITHUB_APP_ID"] = "4242"
	secrets["GITHUB_APP_PRIVATE_KEY"] = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	h := startStackWith(t, "../../shared/support/testdata/rituals.yaml", stackOptions{Settle: 2, Secrets: secrets}, supportFunctions...)
	if _, err := h.st.Standins.InstallGitHubApp(4242, "Codertocat"); err != nil {
		t.Fatal(err)
	}
	if code, _ := h.github("issues", "app-label-1", fixture(t, "github/issues.labeled.json")); code != http.StatusAccepted {
		t.Fatalf("webhook answered %d", code)
	}
	comments := supportCalls(h, "github", "issues/create-comment", 0)
	if len(comments) != 1 || !comments[0].Authorized || !strings.Contains(comments[0].Arg("body"), "**Description**") {
		t.Fatalf("sections comment as the app: %+v", comments)
	}
	if tokens := supportCalls(h, "github", "apps/create-installation-access-token", 0); len(tokens) != 1 || tokens[0].Status != http.StatusCreated {
		t.Fatalf("installation tokens: %+v", tokens)
	}
	if lists := supportCalls(h, "github", "apps/list-installations", 0); len(lists) != 1 {
		t.Errorf("installations listed %d times", len(lists))
	}
}
