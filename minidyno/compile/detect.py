"""Name the language of a push the buildpack refused, so the pusher reads "this is a
Node.js app" rather than a bare "no Python app detected".

Whether the source *is* Python is for the buildpack's own `bin/detect` to say; this
only explains a refusal.
"""

from __future__ import annotations

OTHER_LANGUAGES = {
    "package.json": "Node.js",
    "Gemfile": "Ruby",
    "go.mod": "Go",
    "pom.xml": "Java (Maven)",
    "build.gradle": "Java (Gradle)",
    "build.gradle.kts": "Kotlin (Gradle)",
    "composer.json": "PHP",
    "Cargo.toml": "Rust",
    "project.clj": "Clojure",
    "build.sbt": "Scala",
    "mix.exs": "Elixir",
    "deno.json": "Deno",
}


def refusal(names: set[str]) -> str:
    found = [f"{lang} ({indicator})" for indicator, lang in OTHER_LANGUAGES.items() if indicator in names]
    if found:
        return (
            f"this looks like a {', '.join(found)} app; minidyno builds Python apps only "
            "(add a requirements.txt if it is Python)"
        )
    return "no Python app detected: add a requirements.txt (or pyproject.toml) at the repo root"
