using System.Globalization;

namespace Kiln.Proofs.Sdr;

/// <summary>
/// File names inside a sector's cache directory, as merkletree's StoreConfig names them
/// (<c>sc-02-data-{id}.dat</c>, data version 2).
/// </summary>
public static class CacheFiles
{
    public static string LayerId(int layer) => "layer-" + layer.ToString(CultureInfo.InvariantCulture);

    public const string TreeDId = "tree-d";

    public const string TreeCId = "tree-c";

    public const string TreeRLastId = "tree-r-last";

    public static string DataFileName(string id) => "sc-02-data-" + id + ".dat";

    public static string Layer(string cacheDir, int layer) => Path.Combine(cacheDir, DataFileName(LayerId(layer)));

    public static string TreeD(string cacheDir) => Path.Combine(cacheDir, DataFileName(TreeDId));

    /// <summary>Base tree <paramref name="index"/> of tree_c (no "-i" suffix when the sector has one base tree).</summary>
    public static string TreeC(string cacheDir, Merkle.SectorTreeShape shape, int index) => Path.Combine(cacheDir, DataFileName(shape.SplitId(TreeCId, index)));

    /// <summary>Base tree <paramref name="index"/> of tree_r_last (no "-i" suffix when the sector has one base tree).</summary>
    public static string TreeRLast(string cacheDir, Merkle.SectorTreeShape shape, int index) => Path.Combine(cacheDir, DataFileName(shape.SplitId(TreeRLastId, index)));

    /// <summary>rust <c>with_extension(".tmp")</c> on a ".dat" path: "sc-02-data-layer-1..tmp".</summary>
    public static string Temporary(string path) => Path.ChangeExtension(path, null) + "..tmp";
}
