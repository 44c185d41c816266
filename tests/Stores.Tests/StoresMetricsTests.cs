using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Kiln.Stores.Tests;

/// <summary>The stores' instruments: durations in seconds, each host's on its own meter.</summary>
public sealed class StoresMetricsTests : IDisposable
{
    private readonly List<MeterListener> _listeners = [];

    public void Dispose()
    {
        foreach (var listener in _listeners)
        {
            listener.Dispose();
        }
    }

    [Fact]
    public void Durations_are_recorded_in_seconds_with_unit_s()
    {
        using var meter = new Meter("KilnTests.Stores." + Guid.NewGuid().ToString("N"));
        var metrics = new StoresMetrics(meter);
        var recorded = Listen(meter);

        metrics.FetchEnded(4096, TimeSpan.FromMilliseconds(1500));
        metrics.VanillaReadEnded(skipped: true, TimeSpan.FromMilliseconds(250));

        Assert.Equal(("s", 1.5, "fetched"), recorded.Single(r => r.Name == "kiln.stores.fetch.duration") is var f ? (f.Unit, f.Value, f.Outcome) : default);
        Assert.Equal(4096, recorded.Single(r => r.Name == "kiln.stores.fetch.bytes").Value);
        Assert.Equal(("s", 0.25, "skipped"), recorded.Single(r => r.Name == "kiln.stores.vanilla.read.duration") is var v ? (v.Unit, v.Value, v.Outcome) : default);
        Assert.Equal(1, recorded.Single(r => r.Name == "kiln.stores.vanilla.skipped").Value);
    }

    [Fact]
    public void A_failed_fetch_counts_no_bytes()
    {
        using var meter = new Meter("KilnTests.Stores." + Guid.NewGuid().ToString("N"));
        var metrics = new StoresMetrics(meter);
        var recorded = Listen(meter);

        metrics.FetchRequested();
        metrics.FetchEnded(null, TimeSpan.FromSeconds(2));

        Assert.Equal(1, recorded.Single(r => r.Name == "kiln.stores.fetch.requests").Value);
        Assert.DoesNotContain(recorded, r => r.Name == "kiln.stores.fetch.bytes");
        Assert.Equal("failed", recorded.Single(r => r.Name == "kiln.stores.fetch.duration").Outcome);
    }

    [Fact]
    public void Two_hosts_meter_factories_give_two_meters()
    {
        using var first = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var second = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = first.GetRequiredService<IMeterFactory>();
        var meter = factory.Create(StoresMetrics.MeterName);
        var recorded = Listen(meter);

        new StoresMetrics(factory).FetchRequested();
        new StoresMetrics(second.GetRequiredService<IMeterFactory>()).FetchRequested();

        Assert.Equal(1, recorded.Single(r => r.Name == "kiln.stores.fetch.requests").Value);
        Assert.Same(factory, meter.Scope);
    }

    /// <summary>What instruments of <paramref name="meter"/> record from now on (and of no other meter).</summary>
    private List<Measured> Listen(Meter meter)
    {
        var recorded = new List<Measured>();
        var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Add(recorded, i, value, tags));
        listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Add(recorded, i, value, tags));
        listener.Start();
        _listeners.Add(listener);
        return recorded;
    }

    private static void Add(List<Measured> recorded, Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? outcome = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "outcome")
            {
                outcome = (string?)tag.Value;
            }
        }

        lock (recorded)
        {
            recorded.Add(new Measured(instrument.Name, instrument.Unit, value, outcome));
        }
    }

    private sealed record Measured(string Name, string? Unit, double Value, string? Outcome);
}
