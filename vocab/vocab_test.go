package vocab

import "testing"

func TestAliases(t *testing.T) {
	for in, want := range map[string]string{
		"Golang": "go", "k8s": "kubernetes", "Postgres": "postgresql", "Amazon  Web Services": "aws",
		"ReactJS": "react", "C#": "c#", "csharp": "c#", "Kafka": "kafka",
	} {
		if got := Canonical(in); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
	if len(Phrases("amazon")) == 0 || !IsTech("Amazon Web Services") {
		t.Error("multi-word aliases are not registered")
	}
	for _, g := range Groups() {
		for _, sp := range g {
			if Canonical(sp) != Fold(g[0]) {
				t.Errorf("%q is in two alias groups", sp)
			}
		}
	}
}

func TestCategories(t *testing.T) {
	for _, w := range []string{"Rust", "kafka", "Kubernetes", "golang", "PyTorch"} {
		if !IsTech(w) {
			t.Errorf("IsTech(%q) = false", w)
		}
	}
	if !Ambiguous("go") || Ambiguous("kafka") {
		t.Error("ambiguous words")
	}
	if !StrongName("Amazon") || StrongName("target") || !WeakName("Target") {
		t.Error("names")
	}
}

func TestCommonWithInflections(t *testing.T) {
	for _, w := range []string{"services", "built", "reworking", "quickly", "requirements", "companies",
		"planned", "running", "applied", "easily", "the", "I", "reliability", "automation", "rebuild"} {
		if !Common(w) {
			t.Errorf("Common(%q) = false", w)
		}
	}
	// Names, schools, degrees and technologies are never everyday words.
	for _, w := range []string{"acme", "globex", "mit", "phd", "amazon", "rust", "kafka", "google",
		"harvard", "msc", "stanford", "initech", "python"} {
		if Common(w) {
			t.Errorf("Common(%q) = true", w)
		}
	}
}
