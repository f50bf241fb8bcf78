/*
 * Background ADC sampling for the sensor node, bound to JavaScript through XS FFI (manifest.json,
 * "ffi"; firmware/platform/esp32/adc-sampler.ts wraps it).
 *
 * ESP-IDF's ADC continuous mode converts a pattern of ADC1 channels into DMA buffers at a fixed
 * rate with no CPU per conversion; a low-priority task here wakes once per DMA frame, turns each
 * conversion into the counts Moddable's calibrated Analog.read() would give (a 4096-entry table
 * built once from adc_cali_raw_to_voltage, scaled to 2450 mV full scale as modules/io/analog/esp32
 * does), and adds it to its channel's four sums: conversions, sum, sum of squares, and those at
 * either end of the range. JavaScript takes the sums once per interval (sw_adc_take). One ADC unit
 * runs in one mode at a time (ESP-IDF ADC docs: continuous and oneshot do not share a unit), so
 * every analog pin of the node, slow ones included (smoke chamber, NTC), is sampled here: the
 * platform's Analog class reads a channel's mean since its last read.
 *
 * UNVERIFIED: written against the documented ESP-IDF v6.0 API (esp_adc/adc_continuous.h,
 * esp_adc/adc_cali_scheme.h: adc_continuous_new_handle, adc_continuous_config,
 * adc_continuous_io_to_channel, adc_continuous_read, adc_continuous_parse_data), which Moddable
 * SDK 8.2.3 expects (build/devices/esp32/manifest.json, EXPECTED_ESP_IDF v6.0). It has not been
 * compiled or run here: there is no ESP-IDF toolchain on this machine. Check it on a DevKitC.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "soc/soc_caps.h"
#include "esp_adc/adc_continuous.h"
#include "esp_adc/adc_cali.h"
#include "esp_adc/adc_cali_scheme.h"

#define SW_ADC_MAX_CHANNELS		(8)
/* Conversions a second, shared by the pattern's channels: 4 kHz (four channels get 1 kHz each, 20
   conversions a 50 Hz cycle, harmonics to the 9th), or the chip's lowest rate if that is higher:
   the ESP32's digital controller runs no slower than 20 kHz (SOC_ADC_SAMPLE_FREQ_THRES_LOW), the
   ESP32-S3's down to 611 Hz. Fewer conversions are less work for the task. */
#define SW_ADC_WANTED_HZ		(4 * 1000)
#define SW_ADC_TOTAL_HZ			((SOC_ADC_SAMPLE_FREQ_THRES_LOW > SW_ADC_WANTED_HZ) ? SOC_ADC_SAMPLE_FREQ_THRES_LOW : SW_ADC_WANTED_HZ)
/* 128 conversions a frame on the ESP32 (2 bytes each), 64 on the S3 (4 bytes): the task wakes about
   160 times a second on the ESP32, 60 on the S3, one frame each time; the driver keeps four frames. */
#define SW_ADC_FRAME_BYTES		(256)
#define SW_ADC_POOL_BYTES		(4 * SW_ADC_FRAME_BYTES)
#define SW_ADC_FULL_SCALE_MV	(2450)
#define SW_ADC_MAX_COUNT		(4095)
#define SW_ADC_TASK_PRIORITY	(2)

typedef struct {
	int32_t gpio;
	adc_channel_t channel;
	uint32_t conversions;
	uint64_t sum;
	uint64_t squares;
	uint32_t clipped;
} SwAdcChannel;

static SwAdcChannel gChannels[SW_ADC_MAX_CHANNELS];
static uint8_t gUsed[SW_ADC_MAX_CHANNELS];
static uint16_t *gCounts;				/* raw conversion → calibrated counts at 2450 mV full scale */
static adc_continuous_handle_t gHandle;
static TaskHandle_t gTask;
static portMUX_TYPE gLock = portMUX_INITIALIZER_UNLOCKED;
static uint8_t gFrame[SW_ADC_FRAME_BYTES];
static adc_continuous_data_t gParsed[SW_ADC_FRAME_BYTES / SOC_ADC_DIGI_RESULT_BYTES];

static esp_err_t buildCountTable(void)
{
	adc_cali_handle_t cali = NULL;
	esp_err_t err;
	if (gCounts) return ESP_OK;
	gCounts = malloc((SW_ADC_MAX_COUNT + 1) * sizeof(uint16_t));
	if (!gCounts) return ESP_ERR_NO_MEM;
#if ADC_CALI_SCHEME_CURVE_FITTING_SUPPORTED
	adc_cali_curve_fitting_config_t config = { .unit_id = ADC_UNIT_1, .atten = ADC_ATTEN_DB_12, .bitwidth = ADC_BITWIDTH_12 };
	err = adc_cali_create_scheme_curve_fitting(&config, &cali);
#else
	adc_cali_line_fitting_config_t config = { .unit_id = ADC_UNIT_1, .atten = ADC_ATTEN_DB_12, .bitwidth = ADC_BITWIDTH_12 };
	err = adc_cali_create_scheme_line_fitting(&config, &cali);
#endif
	for (int raw = 0; raw <= SW_ADC_MAX_COUNT; raw++) {
		int mv = -1;
		if (ESP_OK == err) adc_cali_raw_to_voltage(cali, raw, &mv);
		if (mv < 0) mv = (raw * SW_ADC_FULL_SCALE_MV) / SW_ADC_MAX_COUNT;	/* no eFuse calibration: linear, as Moddable falls back */
		int counts = (mv * SW_ADC_MAX_COUNT) / SW_ADC_FULL_SCALE_MV;
		gCounts[raw] = (uint16_t)(counts > SW_ADC_MAX_COUNT ? SW_ADC_MAX_COUNT : counts);
	}
#if ADC_CALI_SCHEME_CURVE_FITTING_SUPPORTED
	if (ESP_OK == err) adc_cali_delete_scheme_curve_fitting(cali);
#else
	if (ESP_OK == err) adc_cali_delete_scheme_line_fitting(cali);
#endif
	return ESP_OK;
}

static void samplingTask(void *unused)
{
	for (;;) {
		uint32_t got = 0;
		uint32_t parsed = 0;
		if (!gHandle || (ESP_OK != adc_continuous_read(gHandle, gFrame, SW_ADC_FRAME_BYTES, &got, 100))) {
			vTaskDelay(pdMS_TO_TICKS(10));
			continue;
		}
		if (ESP_OK != adc_continuous_parse_data(gHandle, gFrame, got, gParsed, &parsed)) continue;
		portENTER_CRITICAL(&gLock);
		for (uint32_t i = 0; i < parsed; i++) {
			const adc_continuous_data_t *d = &gParsed[i];
			if (!d->valid || (ADC_UNIT_1 != d->unit)) continue;
			for (int slot = 0; slot < SW_ADC_MAX_CHANNELS; slot++) {
				SwAdcChannel *c = &gChannels[slot];
				if (!gUsed[slot] || (c->channel != d->channel)) continue;
				uint32_t counts = gCounts[d->raw_data & SW_ADC_MAX_COUNT];
				c->conversions++;
				c->sum += counts;
				c->squares += (uint64_t)counts * counts;
				if ((0 == counts) || (SW_ADC_MAX_COUNT == counts)) c->clipped++;
				break;
			}
		}
		portEXIT_CRITICAL(&gLock);
	}
}

/* Stops the driver and starts it again with the channels in use (none: it stays stopped). */
static esp_err_t restart(void)
{
	adc_digi_pattern_config_t pattern[SW_ADC_MAX_CHANNELS] = { 0 };
	uint32_t n = 0;
	esp_err_t err;
	if (gHandle) {
		adc_continuous_stop(gHandle);
		adc_continuous_deinit(gHandle);
		gHandle = NULL;
	}
	for (int slot = 0; slot < SW_ADC_MAX_CHANNELS; slot++) {
		if (!gUsed[slot]) continue;
		pattern[n].atten = ADC_ATTEN_DB_12;
		pattern[n].channel = gChannels[slot].channel;
		pattern[n].unit = ADC_UNIT_1;
		pattern[n].bit_width = ADC_BITWIDTH_12;
		n++;
	}
	if (0 == n) return ESP_OK;
	adc_continuous_handle_cfg_t handleConfig = { .max_store_buf_size = SW_ADC_POOL_BYTES, .conv_frame_size = SW_ADC_FRAME_BYTES };
	err = adc_continuous_new_handle(&handleConfig, &gHandle);
	if (ESP_OK != err) return err;
	adc_continuous_config_t config = {
		.pattern_num = n,
		.adc_pattern = pattern,
		.sample_freq_hz = SW_ADC_TOTAL_HZ,
		.conv_mode = ADC_CONV_SINGLE_UNIT_1,
	};
	err = adc_continuous_config(gHandle, &config);
	if (ESP_OK == err) err = adc_continuous_start(gHandle);
	if (ESP_OK != err) {
		adc_continuous_deinit(gHandle);
		gHandle = NULL;
	}
	return err;
}

/* Adds an ADC1 pin to the pattern; returns its slot (0–7) or a negative esp_err_t / −1 for a pin that is not ADC1. */
int32_t sw_adc_open(int32_t gpio)
{
	adc_unit_t unit;
	adc_channel_t channel;
	esp_err_t err = buildCountTable();
	if (ESP_OK != err) return -(int32_t)err;
	if ((ESP_OK != adc_continuous_io_to_channel(gpio, &unit, &channel)) || (ADC_UNIT_1 != unit)) return -1;
	int slot = 0;
	while ((slot < SW_ADC_MAX_CHANNELS) && gUsed[slot]) slot++;
	if (SW_ADC_MAX_CHANNELS == slot) return -(int32_t)ESP_ERR_NO_MEM;
	portENTER_CRITICAL(&gLock);
	memset(&gChannels[slot], 0, sizeof(SwAdcChannel));
	gChannels[slot].gpio = gpio;
	gChannels[slot].channel = channel;
	gUsed[slot] = 1;
	portEXIT_CRITICAL(&gLock);
	err = restart();
	if (ESP_OK != err) {
		gUsed[slot] = 0;
		return -(int32_t)err;
	}
	if (!gTask) xTaskCreate(samplingTask, "sw-adc", 3072, NULL, SW_ADC_TASK_PRIORITY, &gTask);
	return slot;
}

int32_t sw_adc_close(int32_t slot)
{
	if ((slot < 0) || (slot >= SW_ADC_MAX_CHANNELS) || !gUsed[slot]) return -1;
	portENTER_CRITICAL(&gLock);
	gUsed[slot] = 0;
	portEXIT_CRITICAL(&gLock);
	return (int32_t)restart();
}

/* Writes the slot's sums since its last take into sums[0…3] and starts new ones; returns the conversions. */
int32_t sw_adc_take(int32_t slot, double *sums)
{
	SwAdcChannel taken;
	if ((slot < 0) || (slot >= SW_ADC_MAX_CHANNELS) || !gUsed[slot]) return -1;
	portENTER_CRITICAL(&gLock);
	taken = gChannels[slot];
	gChannels[slot].conversions = 0;
	gChannels[slot].sum = 0;
	gChannels[slot].squares = 0;
	gChannels[slot].clipped = 0;
	portEXIT_CRITICAL(&gLock);
	sums[0] = (double)taken.conversions;
	sums[1] = (double)taken.sum;
	sums[2] = (double)taken.squares;
	sums[3] = (double)taken.clipped;
	return (int32_t)taken.conversions;
}
