namespace Kiln.Proofs.Merkle;

/// <summary>
/// How a sector's Poseidon trees (tree_c, tree_r_last) are laid out, as rust-fil-proofs'
/// filecoin-proofs/src/constants.rs fixes it per sector size (<c>SectorShape2KiB</c> … <c>SectorShape64GiB</c>,
/// <c>LCTree</c> of base, sub and top arity; storage-proofs-core merkle/builders.rs <c>get_base_tree_count</c>): the nodes are
/// split into <see cref="TreeCount"/> consecutive base trees of arity 8, combined by a sub arity
/// (roots of groups of base trees) and a top arity (root of the sub roots), 0 when absent.
/// </summary>
public sealed record SectorTreeShape(ulong SectorSize, int TreeCount, int SubArity, int TopArity)
{
    /// <summary>Arity of every base tree.</summary>
    public const int BaseArity = 8;

    /// <summary>Nodes (32 bytes each) in the whole sector.</summary>
    public ulong Nodes => SectorSize / 32;

    /// <summary>Leaves of one base tree.</summary>
    public long BaseLeaves => (long)(Nodes / (ulong)TreeCount);

    /// <summary>The shape of one base tree.</summary>
    public MerkleTreeShape Base => new(BaseLeaves, BaseArity);

    /// <summary>rows_to_discard of the tree_r_last LevelCacheStores (default_rows_to_discard of a base tree).</summary>
    public int RowsToDiscard => MerkleTreeShape.DefaultRowsToDiscard(BaseLeaves, BaseArity);

    /// <summary>The shape for a sector size; every size Filecoin's proofs know (2 KiB … 64 GiB, with the test sizes).</summary>
    /// <exception cref="ProofsException">No Filecoin proof uses that sector size.</exception>
    public static SectorTreeShape For(ulong sectorSize) => sectorSize switch
    {
        2UL << 10 => new(sectorSize, 1, 0, 0),
        4UL << 10 => new(sectorSize, 2, 2, 0),
        16UL << 10 => new(sectorSize, 8, 8, 0),
        32UL << 10 => new(sectorSize, 16, 8, 2),
        8UL << 20 => new(sectorSize, 1, 0, 0),
        16UL << 20 => new(sectorSize, 2, 2, 0),
        512UL << 20 => new(sectorSize, 1, 0, 0),
        1UL << 30 => new(sectorSize, 2, 2, 0),
        32UL << 30 => new(sectorSize, 8, 8, 0),
        64UL << 30 => new(sectorSize, 16, 8, 2),
        _ => throw new ProofsException($"no Filecoin proof seals sectors of {SectorSizes.Format(sectorSize)}"),
    };

    /// <summary>
    /// The cache-dir file id of base tree <paramref name="index"/> of a tree named <paramref name="id"/>
    /// ("tree-c", "tree-r-last"): split trees get "-i", a single tree none (merkletree split_config).
    /// </summary>
    public string SplitId(string id, int index) => TreeCount == 1 ? id : id + "-" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
