/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "testsupport.h"
#include "swsev/fw_status.h"

static void layers_are_distinct(void **state)
{
    (void)state;
    swsev_rc hw = SWSEV_HW_ERR(SWSEV_HW_RANGE), fw = SWSEV_FW_ERR(SWSEV_HW_RANGE);
    assert_int_not_equal(hw, fw);
    assert_int_equal(SWSEV_RC_LAYER(hw), SWSEV_LAYER_HW);
    assert_int_equal(SWSEV_RC_LAYER(fw), SWSEV_LAYER_FW);
    assert_int_equal(SWSEV_RC_CODE(fw), SWSEV_HW_RANGE);
}

static void names(void **state)
{
    (void)state;
    assert_string_equal(swsev_strerror(SWSEV_OK), "success");
    assert_string_equal(swsev_strerror(SWSEV_FW_ERR(SEV_STATUS_INVALID_LENGTH)), "INVALID_LENGTH");
    assert_string_equal(swsev_fw_status_name(0x27), "INVALID_KEY");
    assert_string_equal(swsev_fw_status_name(0x1E), "UNKNOWN");
    assert_string_equal(swsev_fw_status_name(0xFFFF), "UNKNOWN");
    assert_non_null(strstr(swsev_strerror(SWSEV_HW_ERR(SWSEV_HW_RANGE)), "range"));
    assert_non_null(swsev_strerror(SWSEV_RC(0x55, 1)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(layers_are_distinct),
        cmocka_unit_test(names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
