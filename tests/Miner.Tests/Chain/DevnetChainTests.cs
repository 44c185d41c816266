using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Kiln.Miner.Chain;
using Microsoft.Extensions.Time.Testing;

namespace Kiln.Miner.Tests.Chain;

public sealed class DevnetChainTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch);

    [Fact]
    public void Deadlines_are_60_epoch_windows_48_to_a_period()
    {
        var d = DeadlineInfo.At(2880 + 125);
        Assert.Equal((2880L, 2, 2880L + 120, 2880L + 180, 2880L + 100), (d.PeriodStart, d.Index, d.Open, d.Close, d.Challenge));
        Assert.Equal(3, d.Next().Index);
        Assert.Equal(0, DeadlineInfo.At(2879).Next().Index);
        Assert.Equal(1, DevnetChain.DeadlineOf(49));
    }

    [Fact]
    public void With_a_period_offset_the_period_starts_at_the_epoch_quantized_down_to_the_offset()
    {
        var d = DeadlineInfo.At(1000, periodOffset: 500);
        Assert.Equal((500L, 8, 980L, 1040L, 960L, 910L), (d.PeriodStart, d.Index, d.Open, d.Close, d.Challenge, d.FaultCutoff));

        // Before the offset the current period began in negative epochs, as go-state-types QuantizeDown has it.
        var early = DeadlineInfo.At(100, periodOffset: 500);
        Assert.Equal((500L - 2880, 41, 80L, 140L), (early.PeriodStart, early.Index, early.Open, early.Close));

        // An offset of a whole period is no offset.
        Assert.Equal(DeadlineInfo.At(4000), DeadlineInfo.At(4000, periodOffset: 2880));
    }

    [Fact]
    public async Task The_devnet_chain_counts_epochs_on_its_clock_and_randomness_follows_the_challenge_epoch()
    {
        var chain = new DevnetChain(DevnetChain.DefaultSeed, _time, TimeSpan.FromMilliseconds(100), _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(12.05));
        Assert.Equal(120, chain.CurrentEpoch);
        Assert.Equal(120, await chain.HeadEpochAsync(CancellationToken.None));

        var d2 = DeadlineInfo.At(chain.CurrentEpoch);
        Assert.Equal(chain.WindowPoStRandomness(1000, d2), chain.WindowPoStRandomness(1000, DeadlineInfo.At(d2.Open + 59)));
        Assert.NotEqual(chain.WindowPoStRandomness(1000, d2), chain.WindowPoStRandomness(1000, d2.Next()));
        Assert.NotEqual(chain.WinningPoStRandomness(1000, 5), chain.WinningPoStRandomness(1000, 6));

        var reached = chain.WaitForEpochAsync(130, CancellationToken.None);
        Assert.True(chain.WaitForEpochAsync(100, CancellationToken.None).IsCompletedSuccessfully);
        Assert.False(reached.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        await reached;
    }

    [Fact]
    public async Task Devnet_tickets_keep_their_original_derivation_and_seeds_are_handed_out_at_once()
    {
        var chain = new DevnetChain(DevnetChain.DefaultSeed, _time, TimeSpan.FromSeconds(1), _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(1000));

        var ticket = await chain.SealTicketAsync(1000, 7, CancellationToken.None);
        var seed = await chain.InteractiveSeedAsync(1000, 7, preCommitEpoch: 990, CancellationToken.None);

        // SHA-256 of "kiln-devnet" ‖ actor ‖ number (big-endian): what every devnet sealed with before the chain was one.
        var input = new byte[11 + 16];
        Encoding.UTF8.GetBytes("kiln-devnet", input);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(11), 1000);
        BinaryPrimitives.WriteUInt64BigEndian(input.AsSpan(19), 7);
        Assert.Equal(SHA256.HashData(input), ticket.Value);
        Assert.Equal(1000 - 900, ticket.Epoch);
        Assert.Equal(990L + 150, seed.Epoch);
        Assert.Equal(32, seed.Value.Length);
        Assert.NotEqual(ticket.Value, seed.Value);
        Assert.NotEqual(seed.Value, (await chain.InteractiveSeedAsync(1000, 8, 990, CancellationToken.None)).Value);
        Assert.Equal(0, (await new DevnetChain(DevnetChain.DefaultSeed, _time, TimeSpan.FromSeconds(1), _time.GetUtcNow()).SealTicketAsync(1000, 7, CancellationToken.None)).Epoch);
    }

    [Fact]
    public async Task A_devnet_with_a_period_offset_reports_its_deadlines_from_it_and_assigns_sectors_by_number_mod_48()
    {
        var chain = new DevnetChain(DevnetChain.DefaultSeed, _time, TimeSpan.FromSeconds(1), _time.GetUtcNow(), periodOffset: 1234);
        _time.Advance(TimeSpan.FromSeconds(1300));

        var deadline = await chain.ProvingDeadlineAsync(1000, CancellationToken.None);

        Assert.Equal((1300L, 1234L, 1, 1294L, 1354L), (deadline.CurrentEpoch, deadline.PeriodStart, deadline.Index, deadline.Open, deadline.Close));
        Assert.Equal([1UL, 49, 97], await chain.DeadlineSectorsAsync(1000, deadline, [1, 2, 49, 50, 97], CancellationToken.None));
        Assert.Equal(new Dictionary<ulong, int> { [1] = 1, [2] = 2, [48] = 0, [95] = 47 }, await chain.SectorDeadlinesAsync(1000, [1, 2, 48, 95], CancellationToken.None));
    }
}
