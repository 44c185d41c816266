namespace Kiln.Api.Chain;

/// <summary>Field paths for decode errors: <c>Sectors[0].SealedCID</c>.</summary>
internal static class CborPath
{
    public static string Field(string path, string field) => path.Length == 0 ? field : $"{path}.{field}";

    public static string Index(string path, int index) => $"{path}[{index}]";
}
