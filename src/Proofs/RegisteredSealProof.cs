namespace Kiln.Proofs;

/// <summary>
/// Filecoin's RegisteredSealProof ids (go-state-types <c>abi.RegisteredSealProof</c>, an int64; filecoin-ffi
/// <c>RegisteredSealProof_t</c>; rust-filecoin-proofs-api <c>RegisteredSealProof</c>): the one enum for both the
/// wire and the proofs code. Names are the rust enum variant names (they appear in PC1 output). On the wire it is a
/// JSON number and a decimal-string map key (Kiln.Api's JSON options say so); ids outside the named set are carried
/// as they are, as Go does, and refused by <see cref="SealProofInfo.Get(RegisteredSealProof)"/>.
/// </summary>
public enum RegisteredSealProof : long
{
    StackedDrg2KiBV1 = 0,
    StackedDrg8MiBV1 = 1,
    StackedDrg512MiBV1 = 2,
    StackedDrg32GiBV1 = 3,
    StackedDrg64GiBV1 = 4,
    StackedDrg2KiBV1_1 = 5,
    StackedDrg8MiBV1_1 = 6,
    StackedDrg512MiBV1_1 = 7,
    StackedDrg32GiBV1_1 = 8,
    StackedDrg64GiBV1_1 = 9,
    StackedDrg2KiBV1_1_Feat_SyntheticPoRep = 10,
    StackedDrg8MiBV1_1_Feat_SyntheticPoRep = 11,
    StackedDrg512MiBV1_1_Feat_SyntheticPoRep = 12,
    StackedDrg32GiBV1_1_Feat_SyntheticPoRep = 13,
    StackedDrg64GiBV1_1_Feat_SyntheticPoRep = 14,
    StackedDrg2KiBV1_2_Feat_NonInteractivePoRep = 15,
    StackedDrg8MiBV1_2_Feat_NonInteractivePoRep = 16,
    StackedDrg512MiBV1_2_Feat_NonInteractivePoRep = 17,
    StackedDrg32GiBV1_2_Feat_NonInteractivePoRep = 18,
    StackedDrg64GiBV1_2_Feat_NonInteractivePoRep = 19,
}
