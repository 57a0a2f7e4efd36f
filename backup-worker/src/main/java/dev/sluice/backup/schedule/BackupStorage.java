package dev.sluice.backup.schedule;

import dev.sluice.backup.store.ObjectStore;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Where the worker keeps snapshots and the change archive: {@code sluice.backup.s3.bucket}, else the directory. */
@Configuration(proxyBeanMethods = false)
class BackupStorage {

    @Bean
    ObjectStore backupObjects(BackupProperties properties) {
        return ObjectStore.of(properties.directory(), properties.s3());
    }
}
