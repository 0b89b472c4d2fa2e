// Package llm writes an application's documents: the tailored resume and the
// cover letter. It holds the OpenAI-compatible chat client (OpenAI, Ollama,
// vLLM, LM Studio) driven by jobpilot's resilience policies, the prompts with
// their JSON output and single repair request, the fabrication guard that
// checks every reply against the candidate's profile, and the deterministic
// template writer used when no LLM is configured.
//
// Honesty ("Honest documents" in docs/design-notes.md): a writer may select, reorder and rephrase the
// candidate's own facts; it may not add employers, titles, dates, degrees,
// certifications, skills or numbers. The LLM writer never takes those facts
// from the model's text: the model answers with indexes into the profile, and
// the resume is built from the profile's entries. Every reply then passes the
// Guard, which removes what the profile does not support and rejects drafts
// left incoherent.
package llm
