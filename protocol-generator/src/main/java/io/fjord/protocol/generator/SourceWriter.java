package io.fjord.protocol.generator;

/** An indenting text buffer for generated Java. Not thread-safe. */
final class SourceWriter {
    private final StringBuilder text = new StringBuilder();
    private int indent;

    SourceWriter line(String line) {
        if (!line.isEmpty()) {
            text.append("    ".repeat(indent));
        }
        text.append(line).append('\n');
        return this;
    }

    SourceWriter open(String line) {
        line(line + " {");
        indent++;
        return this;
    }

    SourceWriter close() {
        indent--;
        return line("}");
    }

    SourceWriter close(String suffix) {
        indent--;
        return line("}" + suffix);
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
