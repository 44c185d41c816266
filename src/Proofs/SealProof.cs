namespace Kiln.Proofs;

/// <summary>
/// Filecoin's RegisteredSealProof ids, identical in go-state-types, filecoin-ffi and
/// rust-filecoin-proofs-api. Names are the rust enum variant names (they appear in PC1 output).
/// </summary>
public enum SealProof
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
