using Kiln.Miner.Sealing;

namespace Kiln.Miner.Tests.Sealing;

/// <summary>
/// A CC sector's expiration and ticket age as Lotus computes them (storage/pipeline/precommit_policy.go
/// BasicPreCommitPolicy.Expiration and getCCSectorLifetime, states_sealing.go preCommitInfo and checkTicketExpired),
/// with go-state-types v16 miner policy values; each expected epoch is worked out in the comment beside it.
/// </summary>
public sealed class SealingPolicyTests
{
    private const long Head = 10_000;
    private const long Ticket = Head - 900;
    private const long Delay = 150;

    [Theory]
    // Lotus's default CommittedCapacitySectorLifetime (540 days = 1,555,200 epochs) less the 2-period buffer (5,760):
    // head + 1,549,440 = 1,559,440, above head + MinSectorExpiration + a period (531,280) and below the cap.
    [InlineData(540, 1_559_440)]
    // 0 means the longest: MaxSectorExpirationExtension (1278 days = 3,680,640) less the buffer → 3,684,880.
    [InlineData(0, 3_684_880)]
    // Too long: clamped to 3,680,640 without the buffer → 3,690,640 (under head + delay + max extension = 3,690,790).
    [InlineData(2000, 3_690_640)]
    // Too short: MinSectorExpiration (518,400) → 528,400, lifted to head + 518,400 + 2,880 = 531,280, then to the
    // pre-commit floor ticket + MaxPreCommitRandomnessLookback (3,780) + MaxProveCommitDuration (86,400 + 150) +
    // MinSectorExpiration = 9,100 + 3,780 + 86,550 + 518,400 = 617,830.
    [InlineData(10, 617_830)]
    public void Cc_expiration_follows_Lotus(int lifetimeDays, long expected) =>
        Assert.Equal(expected, SealingPolicy.Expiration(Head, Ticket, Delay, TimeSpan.FromDays(lifetimeDays)));

    [Theory]
    [InlineData(Head - 3_780, false)] // exactly MaxPreCommitRandomnessLookback old: still good
    [InlineData(Head - 3_781, true)]
    [InlineData(Head - 900, false)]
    public void A_ticket_expires_past_MaxPreCommitRandomnessLookback(long ticketEpoch, bool expired) =>
        Assert.Equal(expired, SealingPolicy.TicketExpired(ticketEpoch, Head));
}
