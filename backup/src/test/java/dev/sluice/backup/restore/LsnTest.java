package dev.sluice.backup.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LsnTest {

    @Test
    void readsAndWritesPositionsAsPostgresqlWritesThem() {
        assertThat(Lsn.parse("0/55B2398").value()).isEqualTo(0x55B2398L);
        assertThat(Lsn.parse("16/B374D848").value()).isEqualTo(0x16_B374D848L);
        assertThat(Lsn.parse("16/b374d848")).hasToString("16/B374D848");
        assertThat(new Lsn(0xFFFFFFFF_00000001L)).hasToString("FFFFFFFF/1");
    }

    @Test
    void ordersPositionsAsTheWalDoesEvenPastTheSignBit() {
        assertThat(Lsn.parse("0/FFFFFFFF")).isLessThan(Lsn.parse("1/0"));
        assertThat(Lsn.parse("7FFFFFFF/0")).isLessThan(Lsn.parse("80000000/0"));
    }

    @Test
    void tellsAPositionFromATime() {
        assertThat(Lsn.looksLikeOne("0/55B2398")).isTrue();
        assertThat(Lsn.looksLikeOne("2026-11-20T10:15Z")).isFalse();
        assertThatThrownBy(() -> Lsn.parse("0/xyz")).hasMessageContaining("not a WAL position like 0/55B2398");
    }
}
