import oclif from 'eslint-config-oclif'

export default [
  {ignores: ['dist/**', 'node_modules/**', 'bench/fixtures/**', 'oclif.manifest.json']},
  ...oclif,
  {
    rules: {
      // the Heroku plugins' own adjustments (heroku-cli-test-utils eslint config)
      'no-console': 'off',
      '@typescript-eslint/no-explicit-any': 'warn',
      // sorting object keys and imports by hand is noise in review; the formatter keeps them readable
      'perfectionist/sort-classes': 'off',
      'perfectionist/sort-object-types': 'off',
      'perfectionist/sort-objects': 'off',
      'perfectionist/sort-interfaces': 'off',
      'perfectionist/sort-union-types': 'off',
      'perfectionist/sort-modules': 'off',
      'unicorn/prefer-top-level-await': 'off',
      'unicorn/no-process-exit': 'off',
      'n/no-process-exit': 'off',
      'unicorn/prevent-abbreviations': 'off',
      'unicorn/no-array-reduce': 'off',
      'unicorn/no-null': 'off',
      'unicorn/no-array-callback-reference': 'off',
      'unicorn/no-nested-ternary': 'off',
      'no-await-in-loop': 'off',
      'max-depth': ['warn', 5],
      'complexity': 'off',
      'camelcase': 'off',
      'n/no-unsupported-features/node-builtins': 'off',
      'n/no-extraneous-import': 'off',
      'n/no-unpublished-import': 'off',
      'import/no-unresolved': 'off',
      'jsdoc/require-param': 'off',
      'jsdoc/require-returns': 'off',
      'jsdoc/require-jsdoc': 'off',
      'unicorn/filename-case': 'off',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'mocha/no-setup-in-describe': 'off',
      'mocha/max-top-level-suites': 'off',
      'mocha/no-mocha-arrows': 'off',
      'unicorn/consistent-function-scoping': 'off',
      'no-control-regex': 'off',
      'no-promise-executor-return': 'off',
    },
  },
]
