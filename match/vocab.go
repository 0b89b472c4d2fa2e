package match

import "github.com/jobpilot/jobpilot/vocab"

// aliases groups the spellings of one skill, the canonical one first:
// matching any spelling in a posting counts as the skill. It is the table the
// fabrication guard uses too (vocab/aliases.txt), so the two never disagree.
var aliases = vocab.Groups()

// vocabulary is the set of technical terms looked for in work highlights,
// summaries and project descriptions, which are prose: "Built the billing
// service in Go on PostgreSQL" contributes Go and PostgreSQL. Alias spellings
// are added to it at init.
var vocabulary = []string{
	"Rust", "Java", "Kotlin", "Scala", "Swift", "Ruby", "PHP", "Elixir", "Erlang", "Haskell",
	"Clojure", "Dart", "Flutter", "Django", "Flask", "FastAPI", "Spring", "Redis", "Kafka",
	"RabbitMQ", "NATS", "SQLite", "MongoDB", "Cassandra", "DynamoDB", "ClickHouse", "Snowflake",
	"BigQuery", "Spark", "Airflow", "dbt", "Docker", "Helm", "Ansible", "Prometheus", "Grafana",
	"OpenTelemetry", "Linux", "GraphQL", "REST", "SQL", "HTML", "CSS", "Svelte", "Angular",
	"Next.js", "PyTorch", "TensorFlow", "LLM", "NLP", "iOS", "Android", "Nginx", "Envoy",
	"Istio", "Microservices", "Distributed Systems", "Observability", "SRE", "DevOps",
}

// ambiguous spellings are everyday words too; they match only when written
// with a capital letter in the posting ("Go", "GO", not "go").
var ambiguous = map[string]bool{"go": true, "node": true, "rails": true, "spring": true, "rest": true, "swift": true, "ai": true, "ts": true, "js": true}

// seniorityWords maps the words of job titles to a level.
var seniorityWords = map[string]string{
	"intern": "intern", "internship": "intern", "trainee": "intern",
	"junior": "junior", "jr": "junior", "graduate": "junior", "entry": "junior",
	"mid": "mid", "intermediate": "mid",
	"senior": "senior", "sr": "senior",
	"staff":     "staff",
	"lead":      "lead",
	"principal": "principal",
	"head":      "head",
	"director":  "director",
}

// titleSynonyms folds the ways one role is written into one word, so
// "Back-end Developer" and "Backend Engineer" compare equal.
var titleSynonyms = map[string]string{
	"developer": "engineer", "dev": "engineer", "programmer": "engineer", "swe": "engineer",
	"engineers": "engineer", "developers": "engineer",
	"sre": "reliability",
}

// titleStop are words that say nothing about the role itself.
var titleStop = map[string]bool{
	"and": true, "or": true, "of": true, "the": true, "a": true, "an": true, "for": true,
	"in": true, "at": true, "with": true, "to": true, "remote": true, "m": true, "f": true,
	"w": true, "d": true, "x": true, "all": true, "genders": true, "i": true, "ii": true, "iii": true,
}

// titleJoins folds split compound words before comparing titles.
var titleJoins = [][2]string{
	{"back end", "backend"}, {"front end", "frontend"}, {"full stack", "fullstack"},
	{"site reliability", "reliability"}, {"dev ops", "devops"},
}

// requirementHeads are words that mark the paragraph after them (or the
// paragraph they start) as requirements, which weigh more than the rest.
var requirementHeads = []string{
	"requirement", "requirements", "qualifications", "qualification", "must", "you have",
	"you bring", "you'll need", "what you need", "looking for", "skills", "tech stack", "stack",
	"about you", "experience",
}
