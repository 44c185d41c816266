namespace Kiln.Miner.Proving;

/// <summary>
/// One Window PoSt deadline (go-state-types dline.Info): the proving period it belongs to, its index, the epochs
/// it opens and closes, and the epoch its challenge randomness is drawn at.
/// </summary>
public sealed record DeadlineInfo(long CurrentEpoch, long PeriodStart, int Index, long Open, long Close, long Challenge)
{
    /// <summary>Deadlines per proving period (WPoStPeriodDeadlines).</summary>
    public const int PeriodDeadlines = 48;

    /// <summary>Epochs a deadline is open (WPoStChallengeWindow).</summary>
    public const int ChallengeWindow = 60;

    /// <summary>Epochs before the deadline opens that its randomness is drawn (WPoStChallengeLookback).</summary>
    public const int ChallengeLookback = 20;

    /// <summary>Epochs in a proving period (WPoStProvingPeriod = 48 × 60).</summary>
    public const int ProvingPeriod = PeriodDeadlines * ChallengeWindow;

    /// <summary>The deadline open at <paramref name="epoch"/> for a miner whose periods start at epoch 0 (mod the period).</summary>
    public static DeadlineInfo At(long epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var periodStart = epoch - (epoch % ProvingPeriod);
        var index = (int)((epoch - periodStart) / ChallengeWindow);
        var open = periodStart + ((long)index * ChallengeWindow);
        return new DeadlineInfo(epoch, periodStart, index, open, open + ChallengeWindow, open - ChallengeLookback);
    }

    /// <summary>The deadline after this one (in this period or the next).</summary>
    public DeadlineInfo Next() => At(Close);

    /// <summary>The deadline a sector is assigned to (Kiln's devnet assignment: its number mod 48).</summary>
    public static int ForSector(ulong sectorNumber) => (int)(sectorNumber % PeriodDeadlines);
}
