package dev.sluice.backup.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Predicate;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects in an S3-compatible bucket (AWS S3, MinIO, ...). An object is published by a single request, which S3
 * makes visible whole or not at all: a small file by one {@code PutObject}, a larger one as a multipart upload
 * whose {@code CompleteMultipartUpload} is that request. Only one part is in memory at a time.
 */
public final class S3Store implements ObjectStore {

    /** S3 refuses parts smaller than this, except the last. */
    private static final int MIN_PART = 5 << 20;

    private final S3Client s3;
    private final String bucket;
    private final String prefix;
    private final int partSize;

    public S3Store(S3Client s3, String bucket, String prefix, int partSize) {
        if (partSize < MIN_PART) {
            throw new IllegalArgumentException("the part size must be at least 5MB (S3's smallest), not " + partSize + " bytes");
        }
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
        this.partSize = partSize;
    }

    public static S3Store connect(S3Properties properties) {
        S3ClientBuilder client = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder())
                .region(Region.of(properties.region()))
                .forcePathStyle(properties.pathStyle())
                .credentialsProvider(properties.accessKey().isEmpty()
                        ? DefaultCredentialsProvider.builder().build()
                        : StaticCredentialsProvider.create(AwsBasicCredentials.create(properties.accessKey(), properties.secretKey())));
        if (!properties.endpoint().isBlank()) {
            client.endpointOverride(URI.create(properties.endpoint()));
        }
        return new S3Store(client.build(), properties.bucket(), properties.prefix(), Math.toIntExact(properties.partSize().toBytes()));
    }

    @Override
    public String location() {
        return "s3://" + bucket + "/" + prefix;
    }

    @Override
    public Upload upload(String key) {
        return new PartUpload(prefix + key);
    }

    @Override
    public InputStream open(String key) throws IOException {
        try {
            return s3.getObject(request -> request.bucket(bucket).key(prefix + key));
        } catch (SdkException e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public OptionalLong size(String key) throws IOException {
        try {
            return OptionalLong.of(s3.headObject(request -> request.bucket(bucket).key(prefix + key)).contentLength());
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return OptionalLong.empty();
            }
            throw failure("read", key, e);
        } catch (SdkException e) {
            throw failure("read", key, e);
        }
    }

    @Override
    public List<String> list(String under) throws IOException {
        try {
            return s3.listObjectsV2Paginator(request -> request.bucket(bucket).prefix(prefix + under)).contents().stream()
                    .map(S3Object::key).map(key -> key.substring(prefix.length())).sorted().toList();
        } catch (SdkException e) {
            throw failure("list", under, e);
        }
    }

    @Override
    public List<String> folders(String under) throws IOException {
        try {
            return s3.listObjectsV2Paginator(request -> request.bucket(bucket).prefix(prefix + under).delimiter("/")).commonPrefixes().stream()
                    .map(folder -> folder.prefix().substring(prefix.length() + under.length(), folder.prefix().length() - 1)).sorted().toList();
        } catch (SdkException e) {
            throw failure("list", under, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            s3.deleteObject(request -> request.bucket(bucket).key(prefix + key));
        } catch (SdkException e) {
            throw failure("delete", key, e);
        }
    }

    @Override
    public void discardUnfinished(Predicate<String> keys, Instant startedBefore) throws IOException {
        try {
            for (MultipartUpload upload : s3.listMultipartUploadsPaginator(request -> request.bucket(bucket).prefix(prefix)).uploads()) {
                if (keys.test(upload.key().substring(prefix.length())) && upload.initiated().isBefore(startedBefore)) {
                    s3.abortMultipartUpload(request -> request.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
                }
            }
        } catch (SdkException e) {
            throw failure("discard unfinished uploads in", "", e);
        }
    }

    @Override
    public void close() {
        s3.close();
    }

    private IOException failure(String action, String key, SdkException e) {
        if (e instanceof S3Exception s3Exception && s3Exception.statusCode() == 404) {
            NoSuchFileException missing = new NoSuchFileException(location() + key);
            missing.initCause(e);
            return missing;
        }
        return new IOException("cannot " + action + " " + location() + key + ": " + e.getMessage(), e);
    }

    /** Buffers one part; the first full part starts a multipart upload, a file smaller than a part is one PutObject. */
    private final class PartUpload implements Upload {
        private final String key;
        private final byte[] part = new byte[partSize];
        private final List<CompletedPart> parts = new ArrayList<>();
        private int filled;
        private String uploadId;
        private boolean streamClosed;
        private boolean committed;

        private final OutputStream stream = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) throws IOException {
                if (streamClosed) {
                    throw new IOException("the upload of " + key + " is closed");
                }
                while (length > 0) {
                    int n = Math.min(length, part.length - filled);
                    System.arraycopy(bytes, offset, part, filled, n);
                    filled += n;
                    offset += n;
                    length -= n;
                    if (filled == part.length) {
                        sendPart();
                    }
                }
            }

            @Override
            public void close() {
                streamClosed = true; // publishing is commit()'s
            }
        };

        PartUpload(String key) {
            this.key = key;
        }

        @Override
        public OutputStream stream() {
            return stream;
        }

        @Override
        public void commit() throws IOException {
            streamClosed = true;
            try {
                if (uploadId == null) {
                    s3.putObject(request -> request.bucket(bucket).key(key), body());
                } else {
                    if (filled > 0) {
                        sendPart();
                    }
                    s3.completeMultipartUpload(request -> request.bucket(bucket).key(key).uploadId(uploadId)
                            .multipartUpload(upload -> upload.parts(parts)));
                }
                committed = true;
            } catch (SdkException e) {
                throw failure("write", key.substring(prefix.length()), e);
            }
        }

        /** Without a commit: the parts sent so far are discarded; nothing was ever visible. */
        @Override
        public void close() {
            streamClosed = true;
            if (!committed && uploadId != null) {
                try {
                    s3.abortMultipartUpload(request -> request.bucket(bucket).key(key).uploadId(uploadId));
                } catch (SdkException e) {
                    // left to discardUnfinished or the bucket's lifecycle rule; never visible as an object
                }
            }
        }

        private void sendPart() throws IOException {
            try {
                if (uploadId == null) {
                    uploadId = s3.createMultipartUpload(request -> request.bucket(bucket).key(key)).uploadId();
                }
                int number = parts.size() + 1;
                String etag = s3.uploadPart(request -> request.bucket(bucket).key(key).uploadId(uploadId).partNumber(number), body()).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                filled = 0;
            } catch (SdkException e) {
                throw failure("write", key.substring(prefix.length()), e);
            }
        }

        private RequestBody body() {
            return RequestBody.fromInputStream(new ByteArrayInputStream(part, 0, filled), filled);
        }
    }
}
