# tests/ops/ops.mk: ikid as an operator runs it (included by the Makefile): check_ops (logs for
# journald, the configuration file, systemd's notify protocol and the units' hardening, libiki
# installed for other programs).
$(BUILD)/tests/check_ops: $(BUILD)/tests/check_ops.o $(BUILD)/tests/harness.o
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_CHECK)
TESTS += $(BUILD)/tests/check_ops
test: $(BUILD)/tests/check_ops
