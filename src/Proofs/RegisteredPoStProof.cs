namespace Kiln.Proofs;

/// <summary>
/// Filecoin's RegisteredPoStProof ids (go-state-types <c>abi.RegisteredPoStProof</c>, an int64; filecoin-ffi
/// <c>RegisteredPoStProof_t</c>): the one enum for both the wire and the proofs code. Winning 2 KiB … 64 GiB are
/// 0–4, the legacy Window proofs 5–9 (rust-fil-proofs ApiVersion 1.0.0), the current Window proofs "…V1_1" 10–14
/// (proofs-api "…V1_2", ApiVersion 1.2.0), the ones in use from network version 19. On the wire it is a JSON number.
/// </summary>
public enum RegisteredPoStProof : long
{
    StackedDrgWinning2KiBV1 = 0,
    StackedDrgWinning8MiBV1 = 1,
    StackedDrgWinning512MiBV1 = 2,
    StackedDrgWinning32GiBV1 = 3,
    StackedDrgWinning64GiBV1 = 4,
    StackedDrgWindow2KiBV1 = 5,
    StackedDrgWindow8MiBV1 = 6,
    StackedDrgWindow512MiBV1 = 7,
    StackedDrgWindow32GiBV1 = 8,
    StackedDrgWindow64GiBV1 = 9,
    StackedDrgWindow2KiBV1_1 = 10,
    StackedDrgWindow8MiBV1_1 = 11,
    StackedDrgWindow512MiBV1_1 = 12,
    StackedDrgWindow32GiBV1_1 = 13,
    StackedDrgWindow64GiBV1_1 = 14,
}
