// Package llm writes an application's documents with a language model: the
// tailored resume and the cover letter. It holds the OpenAI-compatible chat
// client (OpenAI, Ollama, vLLM, LM Studio) driven by jobpilot's resilience
// policies, the prompts with their JSON output and single repair request,
// and the LLM writer, which runs every reply through the fabrication guard
// (package guard). The deterministic template writer is package
// templatewriter.
//
// Honesty (docs/design-notes.md, "Honest documents"): a writer may select,
// reorder and rephrase the candidate's own facts; it may not add employers,
// titles, dates, degrees, certifications, skills or numbers. The LLM writer
// never takes those facts from the model's text: the model answers with
// indexes into the profile, and writes its summary and letter as sentences
// citing the numbered facts they use; the guard checks each sentence against
// its citations, removes what they do not support and refuses a draft that
// is left unusable.
package llm
