package io.fjord.protocol.generator;

import java.lang.reflect.Method;

/**
 * Writes Fjord's {@code Errors} enum from kafka-clients' {@code Errors} (read reflectively from the class path, so
 * the generator does not link against kafka-clients): code, name, default message and whether it is retriable.
 * Stateless.
 */
final class ErrorsWriter {
    private ErrorsWriter() {
    }

    static String write() throws ReflectiveOperationException {
        Class<?> errors = Class.forName("org.apache.kafka.common.protocol.Errors", true,
                ErrorsWriter.class.getClassLoader());
        Method code = errors.getMethod("code");
        Method message = errors.getMethod("message");
        Method exception = errors.getMethod("exception");
        Class<?> retriable = Class.forName("org.apache.kafka.common.errors.RetriableException", false,
                ErrorsWriter.class.getClassLoader());
        SourceWriter out = new SourceWriter();
        out.line("package io.fjord.protocol;").line("");
        out.line("/** Kafka's error codes as kafka-clients 4.4.0 defines them, generated. Immutable. */");
        out.open("public enum Errors");
        Object[] values = errors.getEnumConstants();
        for (int index = 0; index < values.length; index++) {
            Object value = values[index];
            Object thrown = exception.invoke(value);
            boolean isRetriable = thrown != null && retriable.isInstance(thrown);
            String text = String.valueOf(message.invoke(value)).replace("\\", "\\\\").replace("\"", "\\\"");
            out.line(((Enum<?>) value).name() + "((short) " + code.invoke(value) + ", \"" + text + "\", " + isRetriable
                    + ")" + (index == values.length - 1 ? ";" : ","));
        }
        out.line("");
        // forCode runs for every partition of every response: a table, not a scan of a fresh values() copy.
        out.line("/** The errors by {@code code + 1} (codes run from -1 up); null where Kafka defines none. */");
        out.line("private static final Errors[] BY_CODE;");
        out.line("");
        out.open("static");
        out.line("int codeMax = -1;");
        out.open("for (Errors error : values())").line("codeMax = Math.max(codeMax, error.code);").close();
        out.line("BY_CODE = new Errors[codeMax + 2];");
        out.open("for (Errors error : values())").line("BY_CODE[error.code + 1] = error;").close();
        out.close();
        out.line("");
        out.line("private final short code;");
        out.line("private final String message;");
        out.line("private final boolean retriable;");
        out.line("");
        out.open("Errors(short code, String message, boolean retriable)");
        out.line("this.code = code;").line("this.message = message;").line("this.retriable = retriable;");
        out.close();
        out.line("");
        out.open("public short code()").line("return code;").close();
        out.line("");
        out.open("public String message()").line("return message;").close();
        out.line("");
        out.open("public boolean isRetriable()").line("return retriable;").close();
        out.line("");
        out.line("/** The error with this code, or {@link #UNKNOWN_SERVER_ERROR} for a code Kafka does not define. */");
        out.open("public static Errors forCode(short code)");
        out.line("int index = code + 1;");
        out.line("Errors error = index >= 0 && index < BY_CODE.length ? BY_CODE[index] : null;");
        out.line("return error != null ? error : UNKNOWN_SERVER_ERROR;");
        out.close();
        out.close();
        return out.toString();
    }
}
