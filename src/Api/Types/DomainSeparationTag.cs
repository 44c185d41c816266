namespace Kiln.Api.Types;

/// <summary>
/// go-state-types <c>crypto.DomainSeparationTag</c>: which use a draw of chain or beacon randomness is for.
/// A number on the wire (the first param of <c>StateGetRandomnessFromBeacon</c>).
/// </summary>
public enum DomainSeparationTag : long
{
    TicketProduction = 1,
    ElectionProofProduction = 2,
    WinningPoStChallengeSeed = 3,
    WindowedPoStChallengeSeed = 4,
    SealRandomness = 5,
    InteractiveSealChallengeSeed = 6,
    WindowedPoStDeadlineAssignment = 7,
    MarketDealCronSeed = 8,
    PoStChainCommit = 9,
}
