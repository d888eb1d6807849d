using System.Reflection;
using System.Runtime.Loader;

namespace Workers.Actors.Plugins;

/// <summary>
/// A collectible load context for one plugin assembly. Assemblies the host already has (the plugin contract,
/// the framework) are shared with the host so that <c>IWorkerPlugin</c> is one type on both sides; everything
/// else the plugin brings is loaded privately, from its deps.json when it has one, else from its folder.
/// </summary>
internal sealed class PluginLoadContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;
    private readonly string _directory;

    public PluginLoadContext(string assemblyPath)
        : base($"plugin:{Path.GetFileNameWithoutExtension(assemblyPath)}", isCollectible: true)
    {
        _resolver = new AssemblyDependencyResolver(assemblyPath);
        _directory = Path.GetDirectoryName(assemblyPath)!;
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (IsSharedWithHost(assemblyName))
            return null;
        var path = _resolver.ResolveAssemblyToPath(assemblyName) ?? Probe(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
        _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } path ? LoadUnmanagedDllFromPath(path) : IntPtr.Zero;

    private static bool IsSharedWithHost(AssemblyName name) =>
        Default.Assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), name))
        || name.Name is "Workers.Plugins";

    private string? Probe(AssemblyName name)
    {
        var candidate = Path.Combine(_directory, name.Name + ".dll");
        return File.Exists(candidate) ? candidate : null;
    }
}
