using System.Diagnostics.Metrics;
using System.Net;
using Kiln.Api.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;

namespace Kiln.Api.Tests.Metrics;

/// <summary>
/// The exporter's text for each kind of instrument. Every test has a meter of its own name and an exporter that listens
/// to that name only: the listener is process-wide, and other tests record on their own meters meanwhile.
/// </summary>
public sealed class PrometheusExporterTests : IDisposable
{
    private readonly Meter _meter = new("KilnTests.Exporter." + Guid.NewGuid().ToString("N"));
    private readonly PrometheusExporter _exporter;

    public PrometheusExporterTests() => _exporter = new PrometheusExporter(new PrometheusExporterOptions { MeterPrefixes = [_meter.Name] });

    public void Dispose()
    {
        _exporter.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void A_counter_is_summed_per_tag_set_and_named_with_its_unit_and_total()
    {
        var requests = _meter.CreateCounter<long>("kiln.test.fetch.requests", "{request}", "GET requests sent.");
        var bytes = _meter.CreateCounter<long>("kiln.test.fetch.bytes", "By");
        requests.Add(2, new KeyValuePair<string, object?>("outcome", "ok"));
        requests.Add(3, new KeyValuePair<string, object?>("outcome", "ok"));
        requests.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
        bytes.Add(2048);

        Assert.Equal(
            """
            # TYPE kiln_test_fetch_bytes_total counter
            kiln_test_fetch_bytes_total 2048
            # HELP kiln_test_fetch_requests_total GET requests sent.
            # TYPE kiln_test_fetch_requests_total counter
            kiln_test_fetch_requests_total{outcome="failed"} 1
            kiln_test_fetch_requests_total{outcome="ok"} 5

            """.ReplaceLineEndings("\n"),
            _exporter.Collect());
    }

    [Fact]
    public void Tags_in_any_order_are_one_series_with_labels_sorted_sanitized_and_escaped()
    {
        var counter = _meter.CreateCounter<int>("kiln.test.tasks");
        counter.Add(1, new("task", "PC1"), new("worker.host", "a"));
        counter.Add(1, new("worker.host", "a"), new("task", "PC1"));
        counter.Add(1, new("task", "say \"hi\"\\\nbye"), new("1st", 7), new("ok", true));

        var text = _exporter.Collect();
        Assert.Contains("kiln_test_tasks_total{task=\"PC1\",worker_host=\"a\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("kiln_test_tasks_total{key_1st=\"7\",ok=\"true\",task=\"say \\\"hi\\\"\\\\\\nbye\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_histogram_has_cumulative_buckets_inf_sum_and_count_in_its_unit()
    {
        var duration = _meter.CreateHistogram<double>("kiln.test.read.duration", "ms", "Read time.");
        foreach (var ms in new[] { 0.5, 3.0, 5.0, 70.0, 1_000_000.0 })
        {
            duration.Record(ms, new KeyValuePair<string, object?>("outcome", "read"));
        }

        var lines = _exporter.Collect().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("# HELP kiln_test_read_duration_milliseconds Read time.", lines[0]);
        Assert.Equal("# TYPE kiln_test_read_duration_milliseconds histogram", lines[1]);
        var buckets = lines.Where(l => l.StartsWith("kiln_test_read_duration_milliseconds_bucket", StringComparison.Ordinal)).ToList();
        Assert.Equal(PrometheusExporter.MillisecondsBounds.Length + 1, buckets.Count);
        Assert.Equal("kiln_test_read_duration_milliseconds_bucket{outcome=\"read\",le=\"1\"} 1", buckets[0]);
        Assert.Equal("kiln_test_read_duration_milliseconds_bucket{outcome=\"read\",le=\"5\"} 3", buckets[1]);
        Assert.Equal("kiln_test_read_duration_milliseconds_bucket{outcome=\"read\",le=\"10\"} 3", buckets[2]);
        Assert.Equal("kiln_test_read_duration_milliseconds_bucket{outcome=\"read\",le=\"100\"} 4", buckets[5]);
        Assert.Equal("kiln_test_read_duration_milliseconds_bucket{outcome=\"read\",le=\"600000\"} 4", buckets[^2]);
        Assert.Equal("kiln_test_read_duration_milliseconds_bucket{outcome=\"read\",le=\"+Inf\"} 5", buckets[^1]);
        Assert.Equal("kiln_test_read_duration_milliseconds_sum{outcome=\"read\"} 1000078.5", lines[^2]);
        Assert.Equal("kiln_test_read_duration_milliseconds_count{outcome=\"read\"} 5", lines[^1]);

        // Bucket counts never decrease.
        var counts = buckets.Select(b => long.Parse(b[(b.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(counts.Order(), counts);
    }

    [Fact]
    public void Histograms_in_seconds_and_advised_bounds()
    {
        var seconds = _meter.CreateHistogram<double>("kiln.test.task.duration", "s");
        var advised = _meter.CreateHistogram<long>("kiln.test.sizes", "By", null, null, new InstrumentAdvice<long> { HistogramBucketBoundaries = [10, 100] });
        seconds.Record(0.002);
        advised.Record(50);
        advised.Record(500);

        var text = _exporter.Collect();
        Assert.Contains("kiln_test_task_duration_seconds_bucket{le=\"0.001\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("kiln_test_task_duration_seconds_bucket{le=\"0.005\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("kiln_test_task_duration_seconds_bucket{le=\"86400\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains(
            "kiln_test_sizes_bytes_bucket{le=\"10\"} 0\nkiln_test_sizes_bytes_bucket{le=\"100\"} 1\nkiln_test_sizes_bytes_bucket{le=\"+Inf\"} 2\n"
            + "kiln_test_sizes_bytes_sum 550\nkiln_test_sizes_bytes_count 2\n",
            text,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Gauges_up_down_counters_and_observable_instruments()
    {
        var queued = 3;
        var gauge = _meter.CreateGauge<double>("kiln.test.temperature", "Cel");
        var upDown = _meter.CreateUpDownCounter<long>("kiln.test.active", "{task}");
        _meter.CreateObservableGauge("kiln.test.queue", () => queued, "{request}", "Requests waiting.");
        _meter.CreateObservableCounter("kiln.test.cpu.time", () => new Measurement<double>(1.5, new KeyValuePair<string, object?>("mode", "user")), "s");
        _meter.CreateObservableUpDownCounter("kiln.test.blocks.used", () => (long)queued * 2, "{block}");
        gauge.Record(20.5);
        gauge.Record(21.25);
        upDown.Add(5);
        upDown.Add(-2);

        Assert.Equal(
            """
            # TYPE kiln_test_active gauge
            kiln_test_active 3
            # TYPE kiln_test_blocks_used gauge
            kiln_test_blocks_used 6
            # TYPE kiln_test_cpu_time_seconds_total counter
            kiln_test_cpu_time_seconds_total{mode="user"} 1.5
            # HELP kiln_test_queue Requests waiting.
            # TYPE kiln_test_queue gauge
            kiln_test_queue 3
            # TYPE kiln_test_temperature_celsius gauge
            kiln_test_temperature_celsius 21.25

            """.ReplaceLineEndings("\n"),
            _exporter.Collect());

        // Observed again at every scrape.
        queued = 7;
        Assert.Contains("kiln_test_queue 7\n", _exporter.Collect(), StringComparison.Ordinal);
    }

    [Fact]
    public void Only_the_selected_meters_are_exported_and_a_disposed_meter_leaves()
    {
        using var other = new Meter("KilnTests.Other." + Guid.NewGuid().ToString("N"));
        other.CreateCounter<long>("kiln.test.elsewhere").Add(1);
        var mine = new Meter(_meter.Name + ".Sub");
        mine.CreateCounter<long>("kiln.test.sub").Add(1);
        Assert.Equal("# TYPE kiln_test_sub_total counter\nkiln_test_sub_total 1\n", _exporter.Collect());

        mine.Dispose();
        Assert.Equal("", _exporter.Collect());
    }

    [Fact]
    public async Task Concurrent_recording_loses_nothing()
    {
        var counter = _meter.CreateCounter<long>("kiln.test.concurrent");
        var sum = _meter.CreateCounter<double>("kiln.test.concurrent.sum");
        var histogram = _meter.CreateHistogram<double>("kiln.test.concurrent.duration", "s");
        const int Threads = 8;
        const int PerThread = 20_000;
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            var tag = new KeyValuePair<string, object?>("shard", t % 2);
            for (var i = 0; i < PerThread; i++)
            {
                counter.Add(1, tag);
                sum.Add(0.5);
                histogram.Record(i % 3, tag);
                if (i % 1000 == 0)
                {
                    _ = _exporter.Collect();
                }
            }
        })));

        var text = _exporter.Collect();
        Assert.Contains($"kiln_test_concurrent_total{{shard=\"0\"}} {Threads / 2 * PerThread}\n", text, StringComparison.Ordinal);
        Assert.Contains($"kiln_test_concurrent_total{{shard=\"1\"}} {Threads / 2 * PerThread}\n", text, StringComparison.Ordinal);
        Assert.Contains($"kiln_test_concurrent_sum_total {Threads * PerThread / 2}\n", text, StringComparison.Ordinal);
        Assert.Contains($"kiln_test_concurrent_duration_seconds_count{{shard=\"1\"}} {Threads / 2 * PerThread}\n", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kiln.stores.fetch.requests", "{request}", true, "kiln_stores_fetch_requests_total")]
    [InlineData("kiln.stores.fetch.bytes", "By", true, "kiln_stores_fetch_bytes_total")]
    [InlineData("kiln.miner.task.duration", "s", false, "kiln_miner_task_duration_seconds")]
    [InlineData("kiln.x.rate", "By/s", false, "kiln_x_rate_bytes_per_second")]
    [InlineData("kiln.x.per", "{packet}/s", false, "kiln_x_per_per_second")]
    [InlineData("dotnet.gc.pause.time", "s", true, "dotnet_gc_pause_time_seconds_total")]
    [InlineData("jobs_total", "", true, "jobs_total")]
    [InlineData("9lives-of.a/cat", null, false, "_9lives_of_a_cat")]
    public void Names_follow_the_OpenTelemetry_rules(string name, string? unit, bool monotonic, string expected) =>
        Assert.Equal(expected, PrometheusNames.Metric(name, unit, monotonic, gauge: !monotonic));

    [Fact]
    public void A_gauge_of_unit_1_is_a_ratio() =>
        Assert.Equal("kiln_pool_utilization_ratio", PrometheusNames.Metric("kiln.pool.utilization", "1", monotonic: false, gauge: true));

    [Fact]
    public async Task The_endpoint_answers_GET_with_the_prometheus_content_type_and_refuses_other_methods()
    {
        _meter.CreateCounter<long>("kiln.test.hits").Add(4);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        await using var app = builder.Build();
        app.MapDebugMetrics(_exporter);
        await app.StartAsync();
        using var client = app.GetTestClient();

        using var response = await client.GetAsync(new Uri("/debug/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Contains("kiln_test_hits_total 4\n", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var post = await client.PostAsync(new Uri("/debug/metrics", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }
}
