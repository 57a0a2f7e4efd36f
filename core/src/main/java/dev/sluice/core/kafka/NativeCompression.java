package dev.sluice.core.kafka;

/**
 * Loads lz4-java's native (JNI) library so Kafka compresses lz4 natively. lz4-java only tries it by itself when
 * loaded by the system class loader, which is never the case inside a Spring Boot jar: Kafka then falls back to
 * the pure-Java "safe" compressor, measured here at half of the API's CPU under batch writes. The native code
 * used is lz4-java's secure instance (not the "insecure" decompressor of CVE-2025-12183). If the library cannot
 * load on some platform, the Java implementation stays, as before.
 */
public final class NativeCompression {

    private NativeCompression() {}

    /** Idempotent; call before the first Kafka producer or consumer is created. @return whether native lz4 is loaded */
    public static boolean loadLz4() {
        try {
            Class<?> nativeLibrary = Class.forName("net.jpountz.util.Native");
            nativeLibrary.getMethod("load").invoke(null);
            return (boolean) nativeLibrary.getMethod("isLoaded").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }
}
