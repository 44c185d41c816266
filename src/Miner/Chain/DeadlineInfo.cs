namespace Kiln.Miner.Chain;

/// <summary>
/// One Window PoSt deadline, go-state-types <c>dline.Info</c> (the JSON of Lotus's <c>StateMinerProvingDeadline</c>):
/// the proving period it belongs to, its index, the epochs it opens and closes, the epoch its challenge randomness
/// is drawn at, the fault declaration cutoff, and the protocol parameters it was computed with. Those parameters
/// default to the mainnet policy, which is also what the devnet chain uses.
/// </summary>
public sealed record DeadlineInfo(long CurrentEpoch, long PeriodStart, int Index, long Open, long Close, long Challenge)
{
    /// <summary>Deadlines per proving period (WPoStPeriodDeadlines).</summary>
    public const int PeriodDeadlines = 48;

    /// <summary>Epochs a deadline is open (WPoStChallengeWindow).</summary>
    public const int ChallengeWindow = 60;

    /// <summary>Epochs before the deadline opens that its randomness is drawn (WPoStChallengeLookback).</summary>
    public const int ChallengeLookback = 20;

    /// <summary>Epochs before the deadline opens that fault declarations for it stop (FaultDeclarationCutoff = lookback + 50).</summary>
    public const int DeclarationCutoff = ChallengeLookback + 50;

    /// <summary>Epochs in a proving period (WPoStProvingPeriod = 48 × 60).</summary>
    public const int ProvingPeriod = PeriodDeadlines * ChallengeWindow;

    /// <summary>First epoch at which a fault declaration for this deadline is rejected.</summary>
    public long FaultCutoff { get; init; } = Open - DeclarationCutoff;

    public int WPoStPeriodDeadlines { get; init; } = PeriodDeadlines;

    public long WPoStProvingPeriod { get; init; } = ProvingPeriod;

    public long WPoStChallengeWindow { get; init; } = ChallengeWindow;

    public long WPoStChallengeLookback { get; init; } = ChallengeLookback;

    public long FaultDeclarationCutoff { get; init; } = DeclarationCutoff;

    /// <summary>
    /// The deadline open at <paramref name="epoch"/> for a miner whose proving periods start at epochs congruent to
    /// <paramref name="periodOffset"/> modulo <see cref="ProvingPeriod"/> (go-state-types builtin/v16/miner
    /// NewDeadlineInfoFromOffsetAndEpoch: the period start is the epoch quantized down to the offset).
    /// </summary>
    public static DeadlineInfo At(long epoch, long periodOffset = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        var intoPeriod = (((epoch - periodOffset) % ProvingPeriod) + ProvingPeriod) % ProvingPeriod;
        var periodStart = epoch - intoPeriod;
        var index = (int)(intoPeriod / ChallengeWindow);
        var open = periodStart + ((long)index * ChallengeWindow);
        return new DeadlineInfo(epoch, periodStart, index, open, open + ChallengeWindow, open - ChallengeLookback);
    }

    /// <summary>The deadline after this one (in this period or the next), as seen at the epoch this one closes.</summary>
    public DeadlineInfo Next()
    {
        var last = Index + 1 >= WPoStPeriodDeadlines;
        var open = Close;
        return this with
        {
            CurrentEpoch = Close,
            PeriodStart = last ? PeriodStart + WPoStProvingPeriod : PeriodStart,
            Index = last ? 0 : Index + 1,
            Open = open,
            Close = open + WPoStChallengeWindow,
            Challenge = open - WPoStChallengeLookback,
            FaultCutoff = open - FaultDeclarationCutoff,
        };
    }
}
