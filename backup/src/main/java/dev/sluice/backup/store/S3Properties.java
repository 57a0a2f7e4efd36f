package dev.sluice.backup.store;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * S3-compatible object storage for backups and the change archive ({@code sluice.backup.s3.*}); used instead of
 * the local directory when a bucket is named.
 *
 * @param bucket the bucket; empty: the local directory (default empty)
 * @param prefix put every key under this prefix, like {@code sluice/} (default empty)
 * @param endpoint the service's URL for MinIO and other S3-compatible stores; empty: AWS S3 (default empty)
 * @param region the bucket's region (default {@code us-east-1})
 * @param pathStyle the bucket in the path, not the host name, as MinIO expects (default false)
 * @param accessKey with {@code secretKey}; empty: the AWS default credentials (environment, profile, instance
 *     role) (default empty)
 * @param secretKey (default empty)
 * @param partSize files are uploaded in parts of this size, one part in memory at a time; 10,000 parts at most,
 *     so a file can be up to 10,000 times this (default 16MB)
 */
@ConfigurationProperties("sluice.backup.s3") // for its documentation in the metadata; the worker binds it inside BackupProperties
public record S3Properties(
        @DefaultValue("") String bucket,
        @DefaultValue("") String prefix,
        @DefaultValue("") String endpoint,
        @DefaultValue("us-east-1") String region,
        @DefaultValue("false") boolean pathStyle,
        @DefaultValue("") String accessKey,
        @DefaultValue("") String secretKey,
        @DefaultValue("16MB") DataSize partSize) {

    public boolean enabled() {
        return !bucket.isBlank();
    }
}
